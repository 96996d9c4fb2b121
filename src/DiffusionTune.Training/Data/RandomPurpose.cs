namespace DiffusionTune.Training.Data;

/// <summary>Separate random streams of the data pipeline, so that changing one setting does not reshuffle the others.</summary>
enum RandomPurpose : ulong
{
    InstanceOrder = 1,
    BatchOrder,
    InstanceFlip,
    InstanceCrop,
    CaptionDropout,
    ClassOrder,
    ClassFlip,
    ClassCrop,
}

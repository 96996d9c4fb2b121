namespace DiffusionTune.Training.Data;

/// <summary>Which part of a resized image is kept when its aspect ratio differs from the target's.</summary>
public enum CropMode
{
    /// <summary>The centre; the same pixels every epoch, so latents can be cached.</summary>
    Center,

    /// <summary>A region drawn anew for every item in every epoch (seeded, so a resumed run draws the same ones).</summary>
    Random,
}

namespace DiffusionTune.Training.Data;

/// <summary>What an image folder does with a file it cannot use (unreadable, corrupt or too small, or without a caption).</summary>
public enum BadImageHandling
{
    /// <summary>Stop with an exception that names the file.</summary>
    Refuse,

    /// <summary>Leave the file out and add a warning that names it to <see cref="TrainingImageSet.Warnings"/>.</summary>
    Skip,
}

using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Reporting;
using DiffusionTune.Workflows.Settings;


namespace DiffusionTune.Workflows.Training;

/// <summary>
/// <c>train</c> with no preset, trainer or images: trains the <c>quick-test</c> preset on the sample images shipped
/// next to the executable (<c>samples/sks-star</c>, a yellow star with a face, which the embedded model has never
/// seen); like every preset run, it ends with a before/after grid (<see cref="BeforeAfterGrid"/>). Every other option
/// still applies, so <c>train --model M --steps 2 --output DIR</c> runs the same path on another model (the tests
/// inject their tiny model this way).
/// </summary>
public static class QuickStart
{
    public const string PresetName = "quick-test";

    /// <summary>The sample images shipped with the executable.</summary>
    public static string SampleImages => Path.Combine(AppContext.BaseDirectory, "samples", "sks-star");

    /// <summary>True when the request names no preset, trainer or images.</summary>
    public static bool Applies(TrainRequest request) =>
        request.Preset is null && !request.Gives(TrainSettings.Trainer) && !request.Gives(TrainSettings.Images);

    /// <summary>Points the run at the sample images (unless the preset names images itself) and says what is about to happen.</summary>
    public static void UseSampleImages(TrainSettingValues values, IWorkflowReporter reporter)
    {
        if (!values.IsSet(TrainSettings.Images))
            values.Set(TrainSettings.Images, new SettingValue(SampleImages, new SettingOrigin("the shipped sample images")));
        reporter.Message(
            $"No preset, trainer or images given: quick start. Training the {PresetName} preset on {values.Get(TrainSettings.Images)}, then comparing before and after.");
        reporter.Message("(For your own images: train --preset subject-lora --images DIR; see `presets list`.)");
    }
}

using DiffusionTune.Contracts;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Training.Engine;

namespace DiffusionTune.Workflows.Training;

/// <summary>The final result of a finished run, with its kind (what `generate` loads it as).</summary>
public static class TrainedResult
{
    /// <summary>
    /// The adapter or model this call saved at the end, else (a finished run that had nothing left to train) the
    /// final result in the output folder; null when there is none.
    /// </summary>
    public static SavedFile? Of(TrainJob job, TrainResult result)
    {
        if (result.FinalFiles.FirstOrDefault(f => f.Kind != SavedFileKind.Other) is { } saved) return saved;
        if (FinalResult.Find(job) is not { } path) return null;
        var kind = Directory.Exists(path) ? SavedFileKind.Model : IsLora(path) ? SavedFileKind.Lora : SavedFileKind.Other;
        return new SavedFile(path, "final result") { Kind = kind };
    }

    /// <summary>
    /// Prompts to try the result with: the run's sample prompts, else its instance prompt (unless it is a caption
    /// template), else the first training captions.
    /// </summary>
    public static IReadOnlyList<string> Prompts(TrainJob job, TrainResult result)
    {
        if (job.Engine.SamplePrompts.Count > 0) return job.Engine.SamplePrompts;
        if (job.InstancePrompt is { } prompt && !prompt.Contains('[')) return [prompt];
        return [.. result.Captions.Take(2)];
    }

    /// <summary>LoRA results carry kohya's network metadata; full checkpoints do not.</summary>
    static bool IsLora(string path)
    {
        using var file = SafetensorsFile.Open(path);
        return file.Metadata.ContainsKey("ss_network_dim");
    }
}

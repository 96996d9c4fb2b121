using DiffusionTune.Contracts;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Training.Engine;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Damage;

/// <summary>
/// The damage report every finished <c>train</c> run ends with: the final result (a LoRA, embedding, hypernetwork,
/// plugin-format adapter or full checkpoint, as its <see cref="SavedFile.Kind"/> says) against the base model, with the training captions
/// as concept prompts, written as <c>NAME.damage.json</c> next to the result. It runs at the training
/// precision (what fitted the machine), except on the CPU, where fp32 is faster and memory is not the limit.
/// </summary>
public static class TrainingDamageReport
{
    /// <summary>At most this many training captions are measured as concept prompts.</summary>
    const int ConceptPrompts = 8;

    /// <summary>Images per prompt when the evaluator compares the models.</summary>
    const int EvaluationSeeds = 8;

    /// <summary>The report's path for <paramref name="job"/>.</summary>
    public static string PathFor(TrainJob job) => Path.Combine(job.OutputFolder, job.OutputName + DamageReport.FileExtension);

    /// <summary>Measures the run's final result and writes the report to <see cref="PathFor"/>; null (with a warning) when there is no result the damage meter can load.</summary>
    /// <param name="pluginFolders">The run's extra plugin folders, where a plugin-format adapter's format is found.</param>
    public static DamageReport? Write(TrainJob job, TrainResult result, IReadOnlyList<string> pluginFolders, bool evaluate, IWorkflowReporter reporter,
        CancellationToken cancellation)
    {
        if (Tuned(job, result.FinalFiles, pluginFolders) is not { } tuned)
        {
            reporter.Warning($"no damage report: this run saved no final result the damage meter can load ({string.Join(", ", result.FinalFiles.Select(f => f.Format).DefaultIfEmpty("none"))})");
            return null;
        }
        bool onCpu = ComputeDevice.Resolve(job.Device).type == TorchSharp.DeviceType.CPU;
        reporter.Message("Measuring what training changed (turn this off with --damage-report off) …");
        var request = tuned with
        {
            Base = job.Model,
            ConceptPrompts = [.. result.Captions.Take(ConceptPrompts)],
            EvaluationSeeds = evaluate ? EvaluationSeeds : null,
            Loading = new() { Device = job.Device, Precision = onCpu ? "fp32" : job.Precision },
        };
        var report = DamageMeter.Measure(request, reporter, cancellation);
        var path = PathFor(job);
        report.Write(path);
        return report;
    }

    /// <summary>The final result as the damage meter's tuned side, by the files' kinds; null when none is one the host loads.</summary>
    static DamageRequest? Tuned(TrainJob job, IReadOnlyList<SavedFile> files, IReadOnlyList<string> pluginFolders)
    {
        string? model = null, embedding = null;
        var loras = new List<LoraArgument>();
        var hypernetworks = new List<string>();
        var pluginAdapters = new List<(string Path, double Strength)>();
        foreach (var file in files)
        {
            switch (file.Kind)
            {
                case SavedFileKind.Lora: loras.Add(new LoraArgument(file.Path, 1.0)); break;
                case SavedFileKind.Hypernetwork: hypernetworks.Add(file.Path); break;
                case SavedFileKind.Embedding: embedding ??= file.Path; break;
                case SavedFileKind.Adapter: pluginAdapters.Add((file.Path, 1.0)); break;
                case SavedFileKind.Model: model = file.Path; break;
            }
        }
        if (model is null && embedding is null && loras.Count == 0 && hypernetworks.Count == 0 && pluginAdapters.Count == 0) return null;
        return new DamageRequest
        {
            Tuned = model ?? job.Model,
            Adapters = new ModelAdapters
            {
                Loras = loras, Embeddings = embedding, Hypernetworks = hypernetworks, PluginAdapters = pluginAdapters, PluginFolders = pluginFolders,
            },
        };
    }
}

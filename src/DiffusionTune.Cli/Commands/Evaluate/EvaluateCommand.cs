using DiffusionTune.Cli.Rendering;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using DiffusionTune.Models.Runtime;
using DiffusionTune.ShapesWorld.Evaluation;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Loading;
using Spectre.Console;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Evaluate;

/// <summary>
/// Generates every prompt with every seed, has the evaluator classifier read the images, and reports adherence and
/// diversity (and, with a reference model, drift): tables on the console, a JSON report, and a contact sheet per model.
/// </summary>
public static class EvaluateCommand
{
    public static int Run(EvaluateSettings settings, CancellationToken cancellation)
    {
        var prompts = EvaluationPromptFile.Read(settings.PromptsFile);
        var evaluationSettings = new EvaluationSettings
        {
            Seeds = settings.Seeds,
            Steps = settings.Steps,
            GuidanceScale = settings.Cfg,
            Sampler = SamplerChoice.TryParse(settings.Sampler, out var sampler) ? sampler : throw new ArgumentException(SamplerError(settings.Sampler)),
            BatchSize = settings.BatchSize,
        };
        evaluationSettings.Validate();
        var device = ComputeDevice.Resolve(settings.Device);
        var dtype = Precision.Resolve(settings.Precision, device, CommandRunner.WriteWarning);
        var modelPath = EmbeddedModel.Resolve(settings.Model);
        var evaluatorPath = ShippedEvaluator.Resolve(settings.Evaluator);
        foreach (var path in new[] { modelPath, settings.Reference }.OfType<string>())
        {
            if (!Path.Exists(path)) throw new ModelFileException(path, "model not found");
        }

        using var classifier = ShapesClassifier.FromPretrained(evaluatorPath, device);
        var loadOptions = new ModelLoadOptions { Device = device, Dtype = dtype };
        using var evaluation = EvaluateModel(modelPath, settings.Adapters, "model", classifier, prompts, evaluationSettings, loadOptions, cancellation);
        using var referenceEvaluation = settings.Reference is null ? null
            : EvaluateModel(settings.Reference, new ModelAdapters(), "reference", classifier, prompts, evaluationSettings, loadOptions, cancellation);
        var comparison = referenceEvaluation is null ? null : ModelComparison.Compare(evaluation, referenceEvaluation);

        var output = Path.GetFullPath(settings.Output);
        Folders.Create(output);
        var stem = NewStem(output);
        var sheets = new Dictionary<string, string> { ["model"] = $"{stem}.png" };
        if (referenceEvaluation is not null) sheets["reference"] = $"{stem}-reference.png";
        WriteContactSheet(Path.Combine(output, sheets["model"]), evaluation);
        if (referenceEvaluation is not null) WriteContactSheet(Path.Combine(output, sheets["reference"]), referenceEvaluation);
        var report = EvaluationReport.Build(new EvaluationReport.Sources(
            Path.GetFullPath(modelPath), settings.Adapters, settings.Reference is null ? null : Path.GetFullPath(settings.Reference), Path.GetFullPath(evaluatorPath),
            Path.GetFullPath(settings.PromptsFile), evaluationSettings, sheets), evaluation, referenceEvaluation, comparison);
        var reportPath = Path.Combine(output, $"{stem}.json");
        AtomicFile.WriteAllBytes(reportPath, System.Text.Encoding.UTF8.GetBytes(report), overwrite: false);

        EvaluationTables.Write(evaluation, referenceEvaluation, comparison);
        AnsiConsole.MarkupLineInterpolated($"Report [bold]{reportPath}[/], contact sheet(s) {string.Join(", ", sheets.Values)}");
        return CommandRunner.Success;
    }

    static ModelEvaluation EvaluateModel(string path, ModelAdapters adapters, string role, ShapesClassifier classifier, IReadOnlyList<EvaluationPrompt> prompts,
        EvaluationSettings settings, ModelLoadOptions loadOptions, CancellationToken cancellation)
    {
        AnsiConsole.MarkupLineInterpolated($"Loading the {role} [bold]{path}[/] on {loadOptions.Device} ({Precision.NameOf(loadOptions.Dtype)}) …");
        // One model in memory at a time: this one is freed before the next is loaded.
        using var adapted = AdaptedModel.Apply(StableDiffusionModel.Load(path, loadOptions), adapters, ConsoleReporter.Lines);
        var model = adapted.Model;
        ModelEvaluation? evaluation = null;
        ConsoleReporter.Run(reporter =>
        {
            var task = reporter.Start($"{role}: {prompts.Count} prompts × {settings.Seeds} seeds", prompts.Count * settings.Seeds);
            evaluation = ModelEvaluator.Evaluate(model, classifier, prompts, settings, (done, total) =>
            {
                task.Advance(done);
                if (done == total) task.Finish("done");
            }, cancellation);
        });
        return evaluation!;
    }

    static void WriteContactSheet(string path, ModelEvaluation evaluation)
    {
        using var sheet = EvaluationContactSheet.Compose(evaluation);
        PngWriter.Write(path, sheet, overwrite: false);
    }

    /// <summary>A file stem for this run's outputs that no file in the folder uses yet.</summary>
    static string NewStem(string folder)
    {
        var stem = $"evaluation-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        var candidate = stem;
        for (int n = 2; Directory.EnumerateFiles(folder, candidate + "*").Any(); n++) candidate = $"{stem}-{n}";
        return candidate;
    }

    static string SamplerError(string text)
    {
        try
        {
            SamplerChoice.Parse(text);
            return $"unknown sampler '{text}'";
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }
}

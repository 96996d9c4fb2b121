using System.Globalization;
using System.Text.Json;
using DiffusionTune.Cli.Commands.Damage;
using DiffusionTune.Cli.Commands.Generate;
using DiffusionTune.Cli.Commands.Merge;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Diffusion.Calibration;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Diffusion.Merging;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Merging;
using Spectre.Console;
using TorchSharp;

namespace DiffusionTune.Cli.Commands.Calibrate;

/// <summary>
/// Gives back what a fine-tune damaged: searches the global and per-block strengths between the base model and the
/// fine-tune that keep the most concept fidelity within a general-drift budget (<see cref="CalibrationSearch"/>,
/// scored by <see cref="CalibrationProbe"/>), writes the calibrated model — or, for a lone LoRA, a LoRA with the
/// strengths baked in — and a report with the fidelity-vs-drift curve. Three models are in memory: the base, the
/// tuned one, and a third that each candidate is interpolated into.
/// </summary>
public static class CalibrateCommand
{
    public static int Run(CalibrateRequest request, CancellationToken cancellation)
    {
        if (request.Tuned is null && request.Loras.Count == 0)
            throw new ArgumentException("give the fine-tune to calibrate: --tuned MODEL (a checkpoint) and/or --lora FILE");
        if (request.ConceptPrompts.Count == 0)
            throw new ArgumentException("give at least one --concept-prompt (what the fine-tune learned, with its trigger words, e.g. \"a sks star\")");
        if (request.Loras.FirstOrDefault(l => l.Trigger is not null) is { } gated)
            throw new ArgumentException($"--lora {gated.Text}: a prompt-gated LoRA already leaves prompts without its trigger exactly as the base draws them, so there is nothing to calibrate; give the LoRA without @TRIGGER to calibrate its strengths");
        request.Search.Validate();
        var modelOutput = request.WritesLora ? null : ModelOutput.Resolve(request.Output, request.ModelFormat, "calibrate");
        var output = modelOutput?.Path ?? LoraStrengthBaking.CheckOutput(request.Output, "calibrate");
        var reportPath = ReportPath(output, ".calibration.json");
        var plotPath = ReportPath(output, ".calibration.png");

        var basePath = EmbeddedModel.Resolve(request.Base);
        using var baseModel = request.Loading.Load(basePath);
        if (request.WritesLora) LoraStrengthBaking.EnsureRescalable(baseModel, request.Loras[0].Path);
        using var tuned = request.Loading.Load(request.Tuned ?? basePath);
        var loras = LoraMerging.MergeInto(tuned, request.Loras);
        CheckpointInterpolation.EnsureCompatible(baseModel, tuned);
        using var candidate = request.Loading.Load(basePath);
        var generalPrompts = DamageMeter.GeneralPromptsFor(baseModel, request.PromptsFile);

        CalibrationResult? result = null;
        ProgressDisplay.Run(progress =>
        {
            var setup = progress.Start("calibration: base and tuned predictions", CalibrationProbe.SetupPasses);
            using var probe = CalibrationProbe.Create(baseModel, tuned, generalPrompts, request.ConceptPrompts, request.Drift, cancellation,
                (done, next) => setup.Advance(done, next));
            double tunedDrift = probe.TunedGeneralDrift;
            setup.Finish($"tuned general drift {Percent(tunedDrift)}");
            double limit = request.Budget.Limit(tunedDrift);
            var search = progress.Start($"calibration: searching strengths within {Percent(limit)} general drift", request.Search.MaxEvaluations);
            int measured = 0;
            result = CalibrationSearch.Run((weights, phase) =>
            {
                CheckpointInterpolation.Interpolate(baseModel, tuned, weights, candidate);
                var (drift, fidelity) = probe.Score(candidate, cancellation);
                search.Advance(++measured, $"α {weights}: drift {Percent(drift)}, fidelity {Percent(fidelity)}");
                return new CalibrationPoint(weights, phase, drift, fidelity);
            }, limit, CalibrationKnob.For(TextEncoderChanged(baseModel, tuned)), request.Search);
            search.Finish($"{measured} points measured");
        });

        string? written = null;
        if (!result!.TunedWithinLimit)
        {
            written = output;
            var metadata = JsonSerializer.Serialize(new
            {
                @base = ModelReference.Of(baseModel),
                tuned = request.Tuned is null ? (ModelReference?)null : ModelReference.Of(tuned),
                loras = loras.Select(l => new { name = l.Name, hash = l.ShortHash, strength = l.Strength }),
                alpha = result.Chosen.Weights.ToString(),
                budget = request.Budget.ToString(),
                general_drift = result.Chosen.GeneralDrift,
                concept_fidelity = result.Chosen.ConceptFidelity,
            });
            if (modelOutput is null)
            {
                LoraStrengthBaking.Write(baseModel, request.Loras[0].Path, result.Chosen.Weights, output, ModelMetadata.Calibration);
            }
            else
            {
                CheckpointInterpolation.Interpolate(baseModel, tuned, result.Chosen.Weights, candidate);
                modelOutput.Save(candidate, new Dictionary<string, string> { [ModelMetadata.Calibration] = metadata });
                AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{modelOutput.Path}[/] ({modelOutput.Kind})");
            }
        }

        CalibrationPlot.Write(result, plotPath);
        var report = new CalibrationReport
        {
            Base = ModelReference.Of(baseModel),
            Tuned = ModelReference.Of(tuned),
            Loras = loras,
            ConceptPrompts = request.ConceptPrompts,
            GeneralPrompts = generalPrompts,
            Settings = request.Drift,
            Budget = request.Budget.ToString(),
            DriftLimit = result.Limit,
            TunedModel = CalibrationReportPoint.From(result.Tuned),
            Chosen = CalibrationReportPoint.From(result.Chosen),
            Points = result.Points.Select(CalibrationReportPoint.From).ToList(),
            Output = written,
            Plot = plotPath,
        };
        report.Write(reportPath);
        WriteTables(result);
        AnsiConsole.MarkupLineInterpolated($"Report [bold]{reportPath}[/], plot [bold]{plotPath}[/]{(written is null ? "; nothing written" : "")}");
        AnsiConsole.WriteLine(CalibrationVerdict.For(result));
        return CommandRunner.Success;
    }

    static void WriteTables(CalibrationResult result)
    {
        var curve = new ResultTable("global α: concept fidelity against general drift", "α", "general drift", "concept fidelity", "within budget");
        foreach (var point in result.Points.Where(p => p.Phase == CalibrationPhase.Global).OrderBy(p => p.Weights.Global))
            curve.AddRow(point.Weights.Global.ToString("0.####", CultureInfo.InvariantCulture), Percent(point.GeneralDrift), Percent(point.ConceptFidelity), point.Within(result.Limit) ? "yes" : "no");
        curve.Write();
        var summary = new ResultTable($"calibration (budget {Percent(result.Limit)} general drift)", "model", "strengths", "general drift", "concept fidelity");
        summary.AddRow("base", "0", Percent(0), Percent(0));
        summary.AddRow("tuned", "1", Percent(result.Tuned.GeneralDrift), Percent(1));
        summary.AddRow("calibrated", result.Chosen.Weights.ToString(), Percent(result.Chosen.GeneralDrift), Percent(result.Chosen.ConceptFidelity));
        summary.Write();
    }

    /// <summary>Whether the fine-tune changed any text-encoder tensor (only then does the text encoder get its own strength).</summary>
    static bool TextEncoderChanged(StableDiffusionModel baseModel, StableDiffusionModel tuned)
    {
        var tunedTensors = tuned.TextEncoder.state_dict();
        foreach (var (name, tensor) in baseModel.TextEncoder.state_dict())
        {
            using var scope = torch.NewDisposeScope();
            if (!tensor.equal(tunedTensors[name]).all().item<bool>()) return true;
        }
        return false;
    }

    /// <summary><c>OUT.calibration.json</c> beside the output: the extension replaced for a file, appended for a folder.</summary>
    static string ReportPath(string output, string suffix) =>
        output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            ? Path.ChangeExtension(output, null) + suffix
            : Path.TrimEndingDirectorySeparator(output) + suffix;

    /// <summary>Two significant digits: tiny drifts stay visible (0.00044%, not 0%) and nothing reads more precise than it is.</summary>
    static string Percent(double value) => DriftVerdict.Percent(value);
}

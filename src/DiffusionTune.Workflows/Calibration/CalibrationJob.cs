using System.Globalization;
using System.Text.Json;
using DiffusionTune.Diffusion.Calibration;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Diffusion.Merging;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Merging;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Damage;
using DiffusionTune.Workflows.Loading;
using DiffusionTune.Workflows.Merging;
using DiffusionTune.Workflows.Reporting;
using TorchSharp;

namespace DiffusionTune.Workflows.Calibration;

/// <summary>
/// Gives back what a fine-tune damaged: searches the global and per-block strengths between the base model and the
/// fine-tune that keep the most concept fidelity within a general-drift budget (<see cref="CalibrationSearch"/>,
/// scored by <see cref="CalibrationProbe"/>), writes the calibrated model — or, for a lone LoRA, a LoRA with the
/// strengths baked in — and a report with the fidelity-vs-drift curve. Three models are in memory: the base, the
/// tuned one, and a third that each candidate is interpolated into.
/// </summary>
public static class CalibrationJob
{
    /// <summary>Runs <paramref name="request"/>: searches, writes the calibrated result (unless the fine-tune is already within the budget), the report and the plot.</summary>
    public static CalibrationOutcome Run(CalibrateRequest request, IWorkflowReporter reporter, CancellationToken cancellation)
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
        using var baseModel = request.Loading.Load(basePath, reporter);
        if (request.WritesLora) LoraStrengthBaking.EnsureRescalable(baseModel, request.Loras[0].Path, reporter);
        using var tuned = request.Loading.Load(request.Tuned ?? basePath, reporter);
        var loras = LoraMerging.MergeInto(tuned, request.Loras, reporter);
        CheckpointInterpolation.EnsureCompatible(baseModel, tuned);
        using var candidate = request.Loading.Load(basePath, reporter);
        var generalPrompts = DamageMeter.GeneralPromptsFor(baseModel, request.PromptsFile);

        // Scoped: the probe's cached predictions are freed before the result is written.
        CalibrationResult result;
        {
            var setup = reporter.Start("calibration: base and tuned predictions", CalibrationProbe.SetupPasses);
            using var probe = CalibrationProbe.Create(baseModel, tuned, generalPrompts, request.ConceptPrompts, request.Drift, cancellation,
                (done, next) => setup.Advance(done, next));
            double tunedDrift = probe.TunedGeneralDrift;
            setup.Finish($"tuned general drift {Percent(tunedDrift)}");
            double limit = request.Budget.Limit(tunedDrift);
            var search = reporter.Start($"calibration: searching strengths within {Percent(limit)} general drift", request.Search.MaxEvaluations);
            int measured = 0;
            result = CalibrationSearch.Run((weights, phase) =>
            {
                CheckpointInterpolation.Interpolate(baseModel, tuned, weights, candidate);
                var (drift, fidelity) = probe.Score(candidate, cancellation);
                search.Advance(++measured, $"α {weights}: drift {Percent(drift)}, fidelity {Percent(fidelity)}");
                return new CalibrationPoint(weights, phase, drift, fidelity);
            }, limit, CalibrationKnob.For(TextEncoderChanged(baseModel, tuned)), request.Search);
            search.Finish($"{measured} points measured");
        }

        string? written = null;
        if (!result.TunedWithinLimit)
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
                LoraStrengthBaking.Write(baseModel, request.Loras[0].Path, result.Chosen.Weights, output, ModelMetadata.Calibration, reporter);
            }
            else
            {
                CheckpointInterpolation.Interpolate(baseModel, tuned, result.Chosen.Weights, candidate);
                modelOutput.Save(candidate, new Dictionary<string, string> { [ModelMetadata.Calibration] = metadata });
                reporter.Message($"Wrote {modelOutput.Path} ({modelOutput.Kind})");
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
        reporter.ImageReady(plotPath, "fidelity against drift");
        return new CalibrationOutcome(result, reportPath, plotPath, written);
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

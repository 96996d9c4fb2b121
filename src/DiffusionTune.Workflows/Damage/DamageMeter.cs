using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.ShapesWorld.Evaluation;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Loading;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Damage;

/// <summary>
/// Runs a <see cref="DamageRequest"/>: loads the base model and the tuned model with its adapters (two models in
/// memory, no more), measures the prediction drift on the general and the concept prompts
/// (<see cref="PredictionDriftMeter"/>) and, when asked, has the shapes-world evaluator compare their images.
/// </summary>
public static class DamageMeter
{
    public static DamageReport Measure(DamageRequest request, IWorkflowReporter reporter, CancellationToken cancellation)
    {
        var basePath = EmbeddedModel.Resolve(request.Base);
        var tunedPath = request.Tuned ?? basePath;
        using var baseModel = request.Loading.Load(basePath, reporter);
        bool shapesWorld = EmbeddedModel.IsFamilyOf(baseModel);
        if (request.EvaluationSeeds is not null && !shapesWorld)
            throw new ArgumentException($"the evaluator judges shapes-world models only, and {basePath} is not the embedded model or a fine-tune of it");
        var generalPrompts = GeneralPromptsFor(baseModel, request.PromptsFile);
        using var tuned = AdaptedModel.Apply(request.Loading.Load(tunedPath, reporter), request.Adapters, reporter);

        var general = MeasureDrift("general prompts", generalPrompts, baseModel, tuned.Model, request.Drift, reporter, cancellation);
        var concept = request.ConceptPrompts.Count == 0 ? null
            : MeasureDrift("concept prompts", request.ConceptPrompts, baseModel, tuned.Model, request.Drift, reporter, cancellation);
        return new DamageReport
        {
            Base = baseModel.SourcePath,
            Tuned = tuned.Model.SourcePath,
            Loras = tuned.Loras,
            Embeddings = tuned.Embeddings,
            Hypernetworks = tuned.Hypernetworks,
            Settings = request.Drift,
            General = general,
            Concept = concept,
            Evaluation = request.EvaluationSeeds is { } seeds
                ? Evaluate(request, seeds, generalPrompts.Where(p => p.Length > 0).ToList(), baseModel, tuned.Model, reporter, cancellation)
                : null,
        };
    }

    /// <summary>
    /// The general prompts to measure damage on, with the unconditional one: <paramref name="promptsFile"/>'s, else the
    /// shapes world's for its models and <see cref="GeneralPrompts.StableDiffusion"/> for others.
    /// </summary>
    public static IReadOnlyList<string> GeneralPromptsFor(StableDiffusionModel baseModel, string? promptsFile) =>
        GeneralPrompts.WithUnconditional(promptsFile is { } file ? ReadPrompts(file)
            : EmbeddedModel.IsFamilyOf(baseModel) ? ReadPrompts(EmbeddedModel.GeneralPromptsFile)
            : GeneralPrompts.StableDiffusion);

    static IReadOnlyList<string> ReadPrompts(string path) => [.. EvaluationPromptFile.Read(path).Select(p => p.Text)];

    static PredictionDrift MeasureDrift(string what, IReadOnlyList<string> prompts, StableDiffusionModel baseModel, StableDiffusionModel tuned,
        DriftSettings settings, IWorkflowReporter reporter, CancellationToken cancellation)
    {
        IWorkflowProgress? task = null;
        return PredictionDriftMeter.Measure(baseModel, tuned, prompts, settings, (done, total) =>
        {
            task ??= reporter.Start($"drift on {what}: {prompts.Count} × {settings.Seeds} seed(s) × {settings.Timesteps.Count} timestep(s)", total);
            task.Advance(done);
            if (done == total) task.Finish("done");
        }, cancellation);
    }

    /// <summary>Both models' images of the general and concept prompts, judged by the evaluator and compared.</summary>
    static EvaluatorDamage Evaluate(DamageRequest request, int seeds, IReadOnlyList<string> generalPrompts, StableDiffusionModel baseModel,
        StableDiffusionModel tuned, IWorkflowReporter reporter, CancellationToken cancellation)
    {
        var settings = new EvaluationSettings { Seeds = seeds };
        settings.Validate();
        using var classifier = ShapesClassifier.FromPretrained(ShippedEvaluator.Resolve(request.Evaluator), baseModel.Device);
        EvaluatorDrift Compare(string what, IReadOnlyList<string> prompts)
        {
            var parsed = prompts.Select(EvaluationPrompt.Parse).ToList();
            using var tunedImages = Judge(reporter, $"evaluator, tuned, {what}", tuned, classifier, parsed, settings, cancellation);
            using var baseImages = Judge(reporter, $"evaluator, base, {what}", baseModel, classifier, parsed, settings, cancellation);
            return EvaluatorDrift.From(ModelComparison.Compare(tunedImages, baseImages));
        }
        var general = Compare("general prompts", generalPrompts);
        var concept = request.ConceptPrompts.Count > 0 ? Compare("concept prompts", request.ConceptPrompts) : null;
        return new EvaluatorDamage(settings.Seeds, settings.Steps, settings.GuidanceScale, settings.Sampler.ShortName, general, concept);
    }

    static ModelEvaluation Judge(IWorkflowReporter reporter, string what, StableDiffusionModel model, ShapesClassifier classifier,
        IReadOnlyList<EvaluationPrompt> prompts, EvaluationSettings settings, CancellationToken cancellation)
    {
        var task = reporter.Start($"{what}: {prompts.Count} × {settings.Seeds} image(s)", prompts.Count * settings.Seeds);
        var evaluation = ModelEvaluator.Evaluate(model, classifier, prompts, settings, (done, _) => task.Advance(done), cancellation);
        task.Finish("done");
        return evaluation;
    }
}

using DiffusionTune.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// Judges a text-to-image model of the shapes world: generates every prompt with the same seeds at the classifier's
/// image size, and has a <see cref="ShapesClassifier"/> read each image. Prompt adherence, diversity and (through
/// <see cref="ModelComparison"/>) drift all come from these readings.
/// </summary>
public static class ModelEvaluator
{
    /// <summary>Progress after each generated batch: images done and the total.</summary>
    public delegate void ProgressCallback(int imagesDone, int totalImages);

    public static ModelEvaluation Evaluate(StableDiffusionModel model, ShapesClassifier classifier, IReadOnlyList<EvaluationPrompt> prompts,
        EvaluationSettings settings, ProgressCallback? progress = null, CancellationToken cancellation = default)
    {
        settings.Validate();
        if (prompts.Count == 0) throw new ArgumentException("no prompts to evaluate", nameof(prompts));
        var pipeline = new TextToImagePipeline(model);
        var seeds = settings.SeedList;
        int size = classifier.Config.ImageSize, total = prompts.Count * seeds.Count, done = 0;
        var results = new List<PromptEvaluation>();
        try
        {
            foreach (var prompt in prompts)
            {
                var images = new List<Tensor>();
                var predicted = new List<SceneLabels>();
                var features = new List<Tensor>();
                using var scope = NewDisposeScope();
                for (int first = 0; first < seeds.Count; first += settings.BatchSize)
                {
                    var request = new GenerationRequest
                    {
                        Prompt = prompt.Text,
                        Steps = settings.Steps,
                        GuidanceScale = settings.GuidanceScale,
                        Sampler = settings.Sampler,
                        Seed = seeds[first],
                        BatchSize = Math.Min(settings.BatchSize, seeds.Count - first),
                        Width = size,
                        Height = size,
                    };
                    var batch = pipeline.Generate(request, cancellation: cancellation);
                    var (labels, embedding) = classifier.Read(batch);
                    images.Add(batch);
                    predicted.AddRange(labels);
                    features.Add(embedding);
                    done += request.BatchSize;
                    progress?.Invoke(done, total);
                }
                results.Add(new PromptEvaluation(prompt, seeds, cat(images, 0).DetachFromDisposeScope(), [.. predicted], cat(features, 0).DetachFromDisposeScope()));
            }
        }
        catch
        {
            foreach (var result in results) result.Dispose();
            throw;
        }
        return new ModelEvaluation(results);
    }
}

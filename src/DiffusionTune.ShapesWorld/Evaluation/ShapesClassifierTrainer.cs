using DiffusionTune.Models.Runtime;
using DiffusionTune.ShapesWorld.Pretraining;
using DiffusionTune.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// Trains a <see cref="ShapesClassifier"/> from scratch on fresh renders of every style, held-out ones included:
/// each step draws the next items of two seeded <see cref="ShapesWorldDataset"/>s, the whole world and the
/// <see cref="LookAlikes"/>, so no image is seen twice. Every image goes through <see cref="DiffusionLikeAugmentation"/>.
/// The loss is the sum of the heads' cross-entropies; AdamW with a warm-up and cosine decay. The next batch is
/// rendered while the current one trains.
/// </summary>
public static class ShapesClassifierTrainer
{
    const ulong AugmentationStream = 1;
    const ulong LookAlikeSeedOffset = 7919;

    /// <summary>Progress after each step: steps done, total, and the step's loss.</summary>
    public delegate void ProgressCallback(int stepsDone, int totalSteps, double loss);

    /// <summary>What the classifier learns from: every shape, colour, pattern and background of the world, in every style.</summary>
    public static SceneSamplerOptions AllStyles { get; } = SceneSamplerOptions.Pretraining with { Styles = Enum.GetValues<RenderStyle>() };

    /// <summary>
    /// Circles and hexagons in every style. At the smallest sizes, and on pixel art's 16-cell grid, they differ by a
    /// pixel or two, so the classifier sees extra renders of just these two (<see cref="ClassifierTrainingSettings.LookAlikeShare"/>).
    /// </summary>
    public static SceneSamplerOptions LookAlikes { get; } = AllStyles with { Shapes = [Shape.Circle, Shape.Hexagon] };

    /// <summary>Trains and returns the classifier, in float32 on the CPU, in eval mode. Cancelling throws <see cref="OperationCanceledException"/>.</summary>
    public static ShapesClassifier Train(ClassifierTrainingSettings settings, ShapesClassifierConfig? config = null,
        ProgressCallback? progress = null, CancellationToken cancellation = default)
    {
        settings.Validate();
        config ??= new ShapesClassifierConfig();
        var world = new ShapesWorldDataset(settings.Seed, AllStyles, config.ImageSize);
        var lookAlikes = new ShapesWorldDataset(settings.Seed + LookAlikeSeedOffset, LookAlikes, config.ImageSize);
        manual_seed((long)(settings.Seed & long.MaxValue));
        using var model = new ShapesClassifier(config);
        model.to(settings.Device, settings.Dtype);
        model.train();
        using var optimizer = new MasterWeightOptimizer(
            [new TrainableGroup("classifier", [.. model.named_parameters().Select(p => (p.name, p.parameter))])], new AdamWSettings(WeightDecay: 0.01));
        var rates = new LearningRateSchedule(settings.LearningRate, LearningRateShape.Cosine, settings.WarmupSteps, settings.Steps, MinimumFactor: 0.02);

        var next = RenderAsync(world, lookAlikes, 0, settings);
        for (int step = 0; step < settings.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var (images, labels) = next.GetAwaiter().GetResult();
            if (step + 1 < settings.Steps) next = RenderAsync(world, lookAlikes, step + 1, settings);
            double loss;
            using (images)
            using (NewDisposeScope())
            {
                using var random = StepRandomness.For(settings.Seed, AugmentationStream, step);
                var input = HostToDevice.Move(DiffusionLikeAugmentation.Apply(images, random), settings.Device, settings.Dtype);
                var output = model.call(input);
                var total = SceneLabels.Attributes
                    .Select(attribute => nn.functional.cross_entropy(
                        output.Logits[attribute].to(ScalarType.Float32), LabelledRenders.Targets(labels, attribute).to(settings.Device)))
                    .Aggregate((a, b) => a + b);
                optimizer.Backward(total);
                optimizer.Step(rates.RateAt(step), maxGradNorm: 1.0);
                loss = total.item<float>();
            }
            if (!double.IsFinite(loss))
                throw new InvalidOperationException($"classifier training diverged at step {step + 1} (loss {loss}); lower the learning rate or train in fp32");
            progress?.Invoke(step + 1, settings.Steps, loss);
        }

        var trained = new ShapesClassifier(config);
        using (no_grad())
        {
            var masters = optimizer.Masters.ToDictionary(m => m.Name, m => m.Parameter);
            foreach (var (name, parameter) in trained.named_parameters()) parameter.copy_(masters[name]);
        }
        trained.eval();
        return trained;
    }

    /// <summary>Batch <paramref name="step"/>: the next items of the world, then the next look-alikes.</summary>
    static Task<(Tensor Images, SceneLabels[] Labels)> RenderAsync(ShapesWorldDataset world, ShapesWorldDataset lookAlikes, int step, ClassifierTrainingSettings settings) =>
        Task.Run(() =>
        {
            int extra = settings.LookAlikesPerBatch, common = settings.BatchSize - extra;
            var (images, labels) = LabelledRenders.Render(world, (long)step * common, common);
            if (extra == 0) return (images, labels);
            var (moreImages, moreLabels) = LabelledRenders.Render(lookAlikes, (long)step * extra, extra);
            using (images)
            using (moreImages)
                return (cat([images, moreImages], 0), [.. labels, .. moreLabels]);
        });
}

using DiffusionTune.Contracts;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Training.Engine;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Data;

/// <summary>
/// Materialises the batches a <see cref="BatchPlanner"/> plans: latents from an <see cref="ILatentSource"/> (a
/// <see cref="LatentCache"/>, or a <see cref="VaeLatentEncoder"/> when latents are not cached), moved to the run's
/// device (through pinned memory to a GPU, <see cref="HostToDevice"/>), with the plan's prompts, class flags and loss weights.
/// </summary>
public sealed class TrainingBatchSource(BatchPlanner planner, ILatentSource latents, Device device) : ITrainingBatches
{
    /// <summary>The planner whose batches this source materialises.</summary>
    public BatchPlanner Planner => planner;

    /// <summary>
    /// The batch of micro-batch <paramref name="microBatch"/> of optimizer step <paramref name="step"/>. Latents are
    /// sampled with noise from <paramref name="random"/> (the step's CPU generator), one <c>randn</c> of the batch's
    /// latent shape per call; the caller owns the returned tensor.
    /// </summary>
    public TrainingBatch Get(int step, int microBatch, Generator random) => Materialize(planner.Plan(step, microBatch), random);

    /// <inheritdoc/>
    public double EpochsAfter(int steps) => (double)steps * planner.MicroBatchesPerStep / planner.BatchesPerEpoch;

    /// <summary>The batch <paramref name="plan"/> describes, sampled as <see cref="Get"/> does.</summary>
    public TrainingBatch Materialize(PlannedBatch plan, Generator random)
    {
        using var scope = NewDisposeScope();
        var sampled = latents.Sample(plan.Examples.Select(e => e.Variant).ToList(), random);
        var onDevice = scope.MoveToOuter(HostToDevice.Move(sampled, device));
        return new TrainingBatch(
            onDevice,
            plan.Examples.Select(e => e.Prompt).ToArray(),
            plan.Examples.Select(e => e.IsClassExample).ToArray(),
            plan.Examples.Select(e => e.LossWeight).ToArray());
    }
}

namespace DiffusionTune.Training.Data;

/// <summary>How <see cref="BatchPlanner"/> draws batches.</summary>
public sealed record BatchSettings
{
    /// <summary>The run seed every order, flip, crop and caption-dropout choice derives from.</summary>
    public long Seed { get; init; }

    /// <summary>Instance images per micro-batch (with prior preservation each batch also holds as many class images).</summary>
    public required int BatchSize { get; init; }

    /// <summary>Micro-batches per optimizer step (gradient accumulation).</summary>
    public int MicroBatchesPerStep { get; init; } = 1;

    /// <summary>Probability that an instance prompt is replaced by "" (so the model also learns the unconditional case).</summary>
    public double CaptionDropout { get; init; }

    /// <summary>The loss weight of class (prior-preservation) items; instance items weigh 1.</summary>
    public float PriorLossWeight { get; init; } = 1f;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"the batch size must be at least 1 (got {BatchSize})");
        if (MicroBatchesPerStep < 1) throw new ArgumentException($"micro-batches per step must be at least 1 (got {MicroBatchesPerStep})");
        if (!(CaptionDropout >= 0 && CaptionDropout <= 1)) throw new ArgumentException($"caption dropout must be between 0 and 1 (got {CaptionDropout})");
        if (!(PriorLossWeight >= 0) || float.IsInfinity(PriorLossWeight)) throw new ArgumentException($"the prior loss weight must be a finite number of at least 0 (got {PriorLossWeight})");
    }
}

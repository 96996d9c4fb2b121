using DiffusionTune.Diffusion.Samplers;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>How <see cref="ModelEvaluator"/> generates the images it judges: the same for every model compared.</summary>
public sealed record EvaluationSettings
{
    /// <summary>Images per prompt, with seeds <see cref="FirstSeed"/>, <see cref="FirstSeed"/> + 1, …</summary>
    public int Seeds { get; init; } = 16;

    public long FirstSeed { get; init; }

    public int Steps { get; init; } = 25;

    public double GuidanceScale { get; init; } = 5;

    public SamplerChoice Sampler { get; init; } = new(SamplerKind.Ddim);

    /// <summary>Images generated together; results do not depend on it (each image has its own seeded noise).</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>The seeds of every prompt's images.</summary>
    public IReadOnlyList<long> SeedList => [.. Enumerable.Range(0, Seeds).Select(i => FirstSeed + i)];

    public void Validate()
    {
        if (Seeds < 2) throw new ArgumentException($"at least 2 seeds per prompt are needed to measure diversity (got {Seeds})");
        if (BatchSize < 1) throw new ArgumentException($"the batch size must be at least 1 (got {BatchSize})");
    }
}

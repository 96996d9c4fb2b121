using DiffusionTune.Workflows.Adapters;

namespace DiffusionTune.Workflows.Generation;

/// <summary>What <c>generate</c> was asked for.</summary>
public sealed record GenerateSettings
{
    public string? Model { get; init; }
    public string? Prompt { get; init; }
    public string? PromptsFile { get; init; }
    public SamplingSettings Sampling { get; init; } = new();
    public long? Seed { get; init; }

    /// <summary><c>--seeds</c> as written (<c>1,5,9</c>), or null.</summary>
    public string? Seeds { get; init; }

    /// <summary><c>--seed-range</c> as written (<c>1-8</c>), or null.</summary>
    public string? SeedRange { get; init; }

    /// <summary>The folders prompt tags' networks are looked up in (<see cref="NetworkFolders"/>).</summary>
    public IReadOnlyList<string> LoraFolders { get; init; } = [];
    public int BatchSize { get; init; } = 1;
    public int BatchCount { get; init; } = 1;
    public string Output { get; init; } = "outputs";
    public ModelAdapters Adapters { get; init; } = new();
}

using System.Globalization;
using System.Text.Json.Serialization;
using DiffusionTune.Web.Safety;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Web.JobKinds;

/// <summary>
/// What the Generate page queues (snake_case JSON): <c>generate</c>'s options, with every model, LoRA, embedding and
/// hypernetwork named as a root and a path inside it. Unknown fields are refused, so a misspelt one is not ignored.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record GenerateJobSettings : SamplingJobSettings
{
    public string Prompt { get; init; } = "";

    /// <summary>The first image's seed; null: a random one.</summary>
    public long? Seed { get; init; }

    public int BatchCount { get; init; } = 1;
    public int BatchSize { get; init; } = 1;

    /// <summary>A diffusers folder or a checkpoint in a root; null: the embedded model.</summary>
    public RootedFile? Model { get; init; }

    public IReadOnlyList<RootedAdapter> Loras { get; init; } = [];

    /// <summary>A textual-inversion embedding file (or a folder of them), or null.</summary>
    public RootedFile? Embedding { get; init; }

    public IReadOnlyList<RootedAdapter> Hypernetworks { get; init; } = [];

    /// <summary>
    /// The workflow's settings, writing into <paramref name="output"/> on <paramref name="device"/>: every path resolved
    /// through <paramref name="roots"/> and every setting checked that can be without loading the model.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is bad (the message names it, as the CLI would).</exception>
    /// <exception cref="PathOutsideRootException">A path leads outside the roots.</exception>
    public GenerateSettings ToWorkflow(RootedPaths roots, string output, string device)
    {
        if (string.IsNullOrWhiteSpace(Prompt)) throw new ArgumentException("nothing to generate: give --prompt TEXT or --prompts FILE");
        // A tag's network is looked up in folders (DIFFUSIONTUNE_LORA_DIRS) that need not be roots.
        if (PromptTags.Parse(Prompt).Tags.Count > 0)
            throw new ArgumentException("prompt: <lora:…> and <hypernet:…> tags are not read here; pick LoRAs and hypernetworks with the pickers");
        if (BatchCount < 1) throw new ArgumentException("--batch-count must be at least 1");
        if (Seed is < 0) throw new ArgumentException($"--seed must be at least 0 (got {Seed})");
        var sampling = Sampling(device);
        new Diffusion.Pipelines.GenerationRequest { Prompt = Prompt, BatchSize = BatchSize }.ValidateSampling();
        return new GenerateSettings
        {
            Model = Model?.Resolve(roots, "model"),
            Prompt = Prompt,
            Sampling = sampling,
            Seed = Seed,
            BatchSize = BatchSize,
            BatchCount = BatchCount,
            Output = output,
            Adapters = new ModelAdapters
            {
                Loras = [.. Loras.Select(l => new LoraArgument(l.File.Resolve(roots, "loras"), Strength(l, "loras")))],
                Embeddings = Embedding?.Resolve(roots, "embedding"),
                Hypernetworks = [.. Hypernetworks.Select(h => $"{h.File.Resolve(roots, "hypernetworks")}:{Strength(h, "hypernetworks").ToString("R", CultureInfo.InvariantCulture)}")],
            },
        };
    }

    static double Strength(RootedAdapter adapter, string field) => double.IsFinite(adapter.Strength)
        ? adapter.Strength
        : throw new ArgumentException($"{field}: '{adapter.Root}/{adapter.Path}' has a strength that is not a number");
}

using System.Globalization;
using System.Text.Json.Serialization;
using DiffusionTune.Web.Safety;
using DiffusionTune.Workflows.Comparison;
using DiffusionTune.Workflows.Generation;
using DiffusionTune.Workflows.Loading;

namespace DiffusionTune.Web.JobKinds;

/// <summary>
/// What the Compare page queues (snake_case JSON): <c>compare</c>'s options, with models, LoRAs (files or a training
/// run's folder) and hypernetworks named as a root and a path inside it, every adapter at every one of <see cref="Strengths"/>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CompareJobSettings : SamplingJobSettings
{
    /// <summary>One row per prompt (and seed); blank lines are left out.</summary>
    public IReadOnlyList<string> Prompts { get; init; } = [];

    /// <summary>Every column's seed in the first row of each prompt.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Seeds per prompt (seed, seed+1, …), one row each.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Checkpoints to compare; none: the embedded model.</summary>
    public IReadOnlyList<RootedFile> Models { get; init; } = [];

    /// <summary>LoRA files, or folders (a training run's output: every checkpoint in it, by step).</summary>
    public IReadOnlyList<RootedFile> Loras { get; init; } = [];

    public IReadOnlyList<RootedFile> Hypernetworks { get; init; } = [];

    /// <summary>The strengths every LoRA and hypernetwork is compared at.</summary>
    public IReadOnlyList<double> Strengths { get; init; } = [1];

    /// <summary>Also a column for each model without an adapter.</summary>
    public bool IncludeBase { get; init; }

    /// <summary>A textual-inversion embedding file or folder loaded into every model, or null.</summary>
    public RootedFile? Embeddings { get; init; }

    /// <summary>Columns over a sampling setting, as <c>--x</c> takes it (<c>cfg:5,7</c>), or null.</summary>
    public string? X { get; init; }

    /// <summary>Rows over a sampling setting, as <c>--y</c> takes it, or null.</summary>
    public string? Y { get; init; }

    /// <summary>
    /// The comparison these settings ask for, writing into <paramref name="output"/> on <paramref name="device"/>: every
    /// path resolved through <paramref name="roots"/> (a run folder's files too) and every setting checked that can be
    /// without loading a model.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is bad (the message names it, as the CLI would).</exception>
    /// <exception cref="PathOutsideRootException">A path leads outside the roots.</exception>
    public ComparisonPlan ToPlan(RootedPaths roots, string output, string device)
    {
        var x = string.IsNullOrWhiteSpace(X) ? null : ComparisonSetting.ParseAxis("--x", X);
        var y = string.IsNullOrWhiteSpace(Y) ? null : ComparisonSetting.ParseAxis("--y", Y);
        if (x is not null && y is not null && x[0].Axis == y[0].Axis) throw new ArgumentException($"--x and --y are both {x[0].Axis.ToString().ToLowerInvariant()}: give two different axes");
        if (Strengths.Count == 0 || Strengths.Any(s => !double.IsFinite(s))) throw new ArgumentException("strengths: give one or more numbers");
        var strengths = string.Join(",", Strengths.Select(s => s.ToString("R", CultureInfo.InvariantCulture)));
        var adapters = ComparisonAxes.Adapters(AdapterKind.Lora, Loras.Select(l => $"{l.Resolve(roots, "loras")}:{strengths}"))
            .Concat(ComparisonAxes.Adapters(AdapterKind.Hypernetwork, Hypernetworks.Select(h => $"{h.Resolve(roots, "hypernetworks")}:{strengths}"))).ToList();
        // A run folder's files are listed by the workflow: a link among them may not lead out of the roots.
        if (adapters.FirstOrDefault(a => !roots.Roots.Any(r => RootedPaths.Contains(r, a.Path))) is { } outside)
            throw new PathOutsideRootException($"loras: '{Path.GetFileName(outside.Path)}' leads outside the root folders");
        var models = Models.Select(m => m.Resolve(roots, "models")).ToList();
        var sampling = Sampling(device);
        if (Seed < 0) throw new ArgumentException($"--seed must be at least 0 (got {Seed})");
        return new ComparisonPlan
        {
            Columns = ComparisonAxes.WithSettings(ComparisonAxes.Columns(models.Count > 0 ? models : [EmbeddedModel.Resolve(null)], adapters, IncludeBase), x),
            Rows = ComparisonAxes.Rows([.. Prompts.Where(p => !string.IsNullOrWhiteSpace(p))], null, Seed, Seeds, y, columnsGivePrompts: x?[0].Axis == SettingAxis.Prompt),
            Output = output,
            Embeddings = Embeddings?.Resolve(roots, "embeddings"),
            Sampling = sampling,
        };
    }
}

using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Workflows.Adapters;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Damage;

/// <summary>
/// What a fine-tune did to its base model (<c>damage</c>, and the report at the end of <c>train</c>): the prediction
/// drift on general prompts (what it should have left alone) and on concept prompts (what it was meant to change), and
/// for shapes-world models optionally the evaluator's view of the same. Written as snake_case JSON.
/// </summary>
public sealed record DamageReport
{
    /// <summary>How a report's file name ends: <c>NAME.damage.json</c>.</summary>
    public const string FileExtension = ".damage.json";

    /// <summary>The base model's path.</summary>
    public required string Base { get; init; }

    /// <summary>The tuned model's path (the base itself when only adapters were measured).</summary>
    public required string Tuned { get; init; }

    /// <summary>The LoRAs merged into the tuned model.</summary>
    public IReadOnlyList<AppliedLora> Loras { get; init; } = [];

    /// <summary>The textual-inversion embeddings registered with the tuned model.</summary>
    public IReadOnlyList<LoadedEmbedding> Embeddings { get; init; } = [];

    /// <summary>The hypernetworks hooked into the tuned model.</summary>
    public IReadOnlyList<AppliedHypernetwork> Hypernetworks { get; init; } = [];

    public required DriftSettings Settings { get; init; }

    /// <summary>The drift on the general prompts (plus the unconditional prompt): damage.</summary>
    public required PredictionDrift General { get; init; }

    /// <summary>The drift on the concept prompts: how much the fine-tune changed what it was taught; null without concept prompts.</summary>
    public PredictionDrift? Concept { get; init; }

    /// <summary>The concept's relative drift over the general prompts' (how targeted the change is); null without concept prompts or when nothing drifted.</summary>
    public double? ConceptToGeneral => Concept is null || General.Total.Relative == 0 ? null : Concept.Total.Relative / General.Total.Relative;

    /// <summary>The evaluator's comparison of images (shapes-world models, on request), or null.</summary>
    public EvaluatorDamage? Evaluation { get; init; }

    /// <summary>Writes the report to <paramref name="path"/> atomically (replacing an older one).</summary>
    public void Write(string path) => JsonReport.Write(this, path);

    /// <exception cref="InvalidDataException">The file is not a damage report.</exception>
    public static DamageReport Read(string path) => JsonReport.Read<DamageReport>(path, "damage report");
}

namespace DiffusionTune.Web.Library;

/// <summary>A model file found in a root, with what its safetensors header says.</summary>
/// <param name="Root">The root's name.</param>
/// <param name="RelativePath">Its path inside the root, with '/'.</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Bytes">The file's size.</param>
/// <param name="BaseModel">The model it was trained on, when the metadata says.</param>
/// <param name="Trigger">The trigger word(s), when the metadata says.</param>
/// <param name="TrainingSettings">The kohya-style <c>ss_*</c> training settings, by key.</param>
/// <param name="Problem">Why the header could not be read; null when it was.</param>
/// <param name="Damage">The damage report beside it, when there is one.</param>
public sealed record LibraryItem(
    string Root,
    string RelativePath,
    LibraryItemKind Kind,
    long Bytes,
    string? BaseModel,
    string? Trigger,
    IReadOnlyDictionary<string, string> TrainingSettings,
    string? Problem,
    DamageSummary? Damage);

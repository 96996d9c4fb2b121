namespace DiffusionTune.ShapesWorld;

/// <summary>
/// Made-up words for binding a new concept during fine-tuning ("a sks star"), like the rare tokens of CLIP's
/// vocabulary that DreamBooth uses. They never occur in captions of pretraining scenes, yet each is a single token
/// of the world's vocabulary, so a fine-tune starts from an embedding the base model has never been trained towards.
/// </summary>
public static class RareIdentifiers
{
    public static IReadOnlyList<string> All { get; } = new[] { "sks", "ohwx", "zwx", "qxv" }.AsReadOnly();

    public static bool IsRareIdentifier(string word) => All.Contains(word, StringComparer.OrdinalIgnoreCase);
}

namespace DiffusionTune.Contracts;

/// <summary>
/// How the run names what it teaches: <c>a photo of sks star</c> has the rare identifier <c>sks</c> and the class noun
/// <c>star</c>; the class prompt (<c>a photo of star</c>) is the same prompt with the identifier removed.
/// </summary>
/// <param name="InstancePrompt">The prompt of the training images, or null when every image has its own caption.</param>
/// <param name="Identifier">The rare token that names the concept (e.g. sks), or null.</param>
/// <param name="ClassNoun">The class the concept belongs to (e.g. star), or null.</param>
public sealed record ConceptDescription(string? InstancePrompt, string? Identifier, string? ClassNoun)
{
    /// <summary>The instance prompt without the identifier: what the base model should keep generating for the class.</summary>
    public string? ClassPrompt => InstancePrompt is null || Identifier is null ? null : WithoutIdentifier(InstancePrompt);

    /// <summary>Removes the identifier word from <paramref name="prompt"/> (the class noun stays).</summary>
    public string WithoutIdentifier(string prompt) =>
        Identifier is null
            ? prompt
            : string.Join(' ', prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !string.Equals(w, Identifier, StringComparison.OrdinalIgnoreCase)));
}

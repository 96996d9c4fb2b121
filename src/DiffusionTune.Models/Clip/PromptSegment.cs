namespace DiffusionTune.Models.Clip;

/// <summary>
/// A piece of a prompt with the attention weight its tokens get (1 = unchanged), or a BREAK marker that ends the
/// current 75-token chunk.
/// </summary>
public sealed record PromptSegment(string Text, double Weight)
{
    /// <summary>The A1111 <c>BREAK</c> keyword: pads the current chunk and starts a new one.</summary>
    public static PromptSegment Break { get; } = new("BREAK", 1.0) { IsBreak = true };

    /// <summary>True for <see cref="Break"/>; its text and weight then carry no meaning.</summary>
    public bool IsBreak { get; private init; }
}

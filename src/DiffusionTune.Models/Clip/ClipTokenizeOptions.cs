namespace DiffusionTune.Models.Clip;

/// <summary>How <see cref="ClipTokenizer"/> turns a prompt into model input.</summary>
public sealed record ClipTokenizeOptions
{
    /// <summary>Diffusers behaviour: truncate to 75 tokens, no BREAK keyword.</summary>
    public static ClipTokenizeOptions Default { get; } = new();

    /// <summary>Truncate (default) or split into several chunks.</summary>
    public LongPromptHandling LongPrompts { get; init; } = LongPromptHandling.Truncate;

    /// <summary>
    /// In <see cref="LongPromptHandling.Chunk"/> mode, when a chunk fills up and its last comma is at most this many
    /// tokens back, the tokens after that comma move to the next chunk so a phrase is not cut in two (A1111's
    /// "comma padding backtrack", 20 by default there). 0 disables it; ignored when truncating.
    /// </summary>
    public int CommaBacktrack { get; init; } = 20;

    /// <summary>
    /// Whether the A1111 keyword <c>BREAK</c> in a weighted prompt ends the current chunk (the rest of the chunk is
    /// padded). When truncating, everything after the first BREAK is then dropped. Off by default, so BREAK is an
    /// ordinary word as in diffusers.
    /// </summary>
    public bool SplitOnBreak { get; init; }
}

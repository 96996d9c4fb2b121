namespace DiffusionTune.Models.Clip;

/// <summary>
/// A prompt as CLIP text-encoder input: one or more chunks of 77 token ids (start token, up to 75 prompt tokens,
/// end token, padding) and, position by position, the attention weight of each token (1 for the start, end and
/// padding tokens and for unweighted text).
/// </summary>
/// <param name="InputIds">One array of 77 ids per chunk.</param>
/// <param name="Weights">One array of 77 weights per chunk, aligned with <paramref name="InputIds"/>.</param>
/// <param name="Truncated">Whether prompt tokens were dropped to fit.</param>
public sealed record TokenizedPrompt(long[][] InputIds, float[][] Weights, bool Truncated)
{
    /// <summary>The number of 77-token chunks (1 unless <see cref="LongPromptHandling.Chunk"/> was used).</summary>
    public int ChunkCount => InputIds.Length;
}

namespace DiffusionTune.Models.Clip;

/// <summary>What happens to prompts longer than the 75 content tokens one CLIP pass can take.</summary>
public enum LongPromptHandling
{
    /// <summary>Keep the first 75 tokens and drop the rest, as the diffusers pipelines do.</summary>
    Truncate,

    /// <summary>
    /// Split into as many 77-token chunks (start token, 75 tokens, end token) as needed, as the AUTOMATIC1111 web
    /// UI does; each chunk is encoded separately and the results concatenated.
    /// </summary>
    Chunk,
}

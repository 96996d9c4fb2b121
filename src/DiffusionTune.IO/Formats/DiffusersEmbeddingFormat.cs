namespace DiffusionTune.IO.Formats;

/// <summary>
/// diffusers' learned embeds (<c>examples/textual_inversion</c>, <c>learned_embeds.safetensors</c> or <c>.bin</c>):
/// <c>{placeholder_token: [vectors, width]}</c>, or <c>[width]</c> for one vector, with exactly one tensor. As A1111 does
/// with such files, the trigger word is the file name, not the key.
/// </summary>
internal static class DiffusersEmbeddingFormat
{
    public const string FormatName = "diffusers";

    /// <summary>The name of the tensor holding the vectors, or null when the file is not in this format.</summary>
    public static string? Find(EmbeddingTensors source) => source.Names.Count == 1 ? source.Names[0] : null;
}

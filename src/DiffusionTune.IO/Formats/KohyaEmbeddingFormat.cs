namespace DiffusionTune.IO.Formats;

/// <summary>kohya sd-scripts' embedding (<c>train_textual_inversion.py</c>): <c>{"emb_params": [vectors, width]}</c>, .safetensors or .pt.</summary>
internal static class KohyaEmbeddingFormat
{
    public const string FormatName = "kohya";

    public const string VectorsKey = "emb_params";

    /// <summary>The name of the tensor holding the vectors, or null when the file is not in this format.</summary>
    public static string? Find(EmbeddingTensors source) => source.Contains(VectorsKey) ? VectorsKey : null;
}

namespace DiffusionTune.IO.Formats;

/// <summary>
/// A1111's embedding (<c>modules/textual_inversion</c>): <c>{"string_to_token": {"*": 265}, "string_to_param": {"*":
/// [vectors, width]}, "name", "step", "sd_checkpoint", "sd_checkpoint_name"}</c> as a torch.save <c>.pt</c>, or the same
/// vectors under the flattened key <c>string_to_param.*</c> in a <c>.safetensors</c> file (which A1111 loads as a
/// single-tensor file and names by its file name). Exactly one term is allowed.
/// </summary>
internal static class A1111EmbeddingFormat
{
    public const string FormatName = "A1111";

    /// <summary>The flattened key A1111's single term is stored under.</summary>
    public const string VectorsKey = "string_to_param.*";

    const string TermPrefix = "string_to_param.";

    /// <summary>The name of the tensor holding the vectors, or null when the file is not in this format.</summary>
    public static string? Find(EmbeddingTensors source)
    {
        var terms = source.Names.Where(name => name.StartsWith(TermPrefix, StringComparison.Ordinal)).ToList();
        if (terms.Count > 1)
            throw new ModelFileException(source.FilePath, $"holds {terms.Count} terms in string_to_param ({string.Join(", ", terms)}); an embedding file has one");
        return terms.Count == 1 ? terms[0] : null;
    }
}

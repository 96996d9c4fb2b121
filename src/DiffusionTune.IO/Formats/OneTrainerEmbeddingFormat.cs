namespace DiffusionTune.IO.Formats;

/// <summary>
/// OneTrainer's SD 1.x/2.x embedding: <c>{"emp_params": [vectors, width]}</c> (sic), sometimes with <c>emp_params_out</c>
/// for the output side of models with a second text encoder output, which SD 1.x/2.x prompts do not use.
/// </summary>
internal static class OneTrainerEmbeddingFormat
{
    public const string FormatName = "OneTrainer";

    public const string VectorsKey = "emp_params";

    /// <summary>The name of the tensor holding the vectors, or null when the file is not in this format.</summary>
    public static string? Find(EmbeddingTensors source) => source.Contains(VectorsKey) ? VectorsKey : null;
}

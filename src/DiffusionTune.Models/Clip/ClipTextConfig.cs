using System.Text.Json.Serialization;
using DiffusionTune.Models.Configuration;

namespace DiffusionTune.Models.Clip;

/// <summary>The fields of a transformers <c>text_encoder/config.json</c> (CLIPTextConfig); defaults are transformers' own.</summary>
public sealed record ClipTextConfig : IModelConfig
{
    [JsonPropertyName("architectures")] public string[]? Architectures { get; init; } = ["CLIPTextModel"];
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "clip_text_model";
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 49408;
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 512;
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 2048;
    [JsonPropertyName("projection_dim")] public int ProjectionDim { get; init; } = 512;
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 12;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 8;
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 77;
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "quick_gelu";
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-5;
    [JsonPropertyName("attention_dropout")] public double AttentionDropout { get; init; }
    [JsonPropertyName("dropout")] public double Dropout { get; init; }
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; init; } = 0.02;
    [JsonPropertyName("initializer_factor")] public double InitializerFactor { get; init; } = 1.0;
    [JsonPropertyName("pad_token_id")] public int PadTokenId { get; init; } = 1;
    [JsonPropertyName("bos_token_id")] public int BosTokenId { get; init; } = 49406;
    [JsonPropertyName("eos_token_id")] public int EosTokenId { get; init; } = 49407;
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; init; }

    /// <summary>
    /// The sane range of every numeric field: generous around the CLIP and OpenCLIP text towers SD uses (width up to
    /// 1024, 12 to 23 layers, a 49,408-token vocabulary), tight enough that no value can make the model negative-sized
    /// or absurdly large. Prompts are encoded 77 tokens at a time, so fewer positions cannot work.
    /// </summary>
    public static IReadOnlyList<FieldRange<ClipTextConfig>> Ranges { get; } =
    [
        FieldRange<ClipTextConfig>.Scalar("vocab_size", 1, 1 << 20, c => c.VocabSize),
        FieldRange<ClipTextConfig>.Scalar("hidden_size", 1, 16384, c => c.HiddenSize),
        FieldRange<ClipTextConfig>.Scalar("intermediate_size", 1, 65536, c => c.IntermediateSize),
        FieldRange<ClipTextConfig>.Scalar("projection_dim", 1, 16384, c => c.ProjectionDim),
        FieldRange<ClipTextConfig>.Scalar("num_hidden_layers", 1, 128, c => c.NumHiddenLayers),
        FieldRange<ClipTextConfig>.Scalar("num_attention_heads", 1, 16384, c => c.NumAttentionHeads),
        FieldRange<ClipTextConfig>.Scalar("max_position_embeddings", ClipTokenizer.ModelMaxLength, 4096, c => c.MaxPositionEmbeddings),
        FieldRange<ClipTextConfig>.Scalar("layer_norm_eps", 1e-12, 1, c => c.LayerNormEps),
        FieldRange<ClipTextConfig>.Scalar("attention_dropout", 0, 1, c => c.AttentionDropout),
        FieldRange<ClipTextConfig>.Scalar("dropout", 0, 1, c => c.Dropout),
        FieldRange<ClipTextConfig>.Scalar("initializer_range", 0, 100, c => c.InitializerRange),
        FieldRange<ClipTextConfig>.Scalar("initializer_factor", 0, 100, c => c.InitializerFactor),
        // The token ids are bookkeeping (prompts are pooled at their end token, whatever id it has); transformers writes
        // its defaults (49406, 49407) even into configs of smaller vocabularies.
        FieldRange<ClipTextConfig>.Scalar("pad_token_id", 0, 1 << 20, c => c.PadTokenId),
        FieldRange<ClipTextConfig>.Scalar("bos_token_id", 0, 1 << 20, c => c.BosTokenId),
        FieldRange<ClipTextConfig>.Scalar("eos_token_id", 0, 1 << 20, c => c.EosTokenId),
    ];

    /// <summary>Throws <see cref="InvalidDataException"/> naming every field whose value is out of range or that this implementation does not support.</summary>
    public void Validate()
    {
        var problems = new ConfigProblems("text encoder");
        problems.CheckRanges(this, Ranges);
        problems.Require(Architectures is null || Architectures.Contains("CLIPTextModel") || Architectures.Contains("CLIPTextModelWithProjection"),
            $"architectures [{string.Join(", ", Architectures ?? [])}]: expected CLIPTextModel");
        problems.Require(HiddenAct is "quick_gelu" or "gelu", $"hidden_act '{HiddenAct}': only quick_gelu and gelu are supported");
        if (problems.None)
            problems.Require(HiddenSize % NumAttentionHeads == 0, $"hidden_size {HiddenSize} is not divisible by num_attention_heads {NumAttentionHeads}");
        problems.ThrowIfAny();
    }

    /// <summary>The shapes and layer count the transformers weights of this config have: the embedding tables, the depth and the MLP width.</summary>
    public IEnumerable<FieldEvidence> WeightsEvidence()
    {
        const string tokenEmbedding = "text_model.embeddings.token_embedding.weight";
        yield return new TensorDimension("vocab_size", VocabSize, tokenEmbedding, 0);
        yield return new TensorDimension("hidden_size", HiddenSize, tokenEmbedding, 1);
        yield return new TensorDimension("max_position_embeddings", MaxPositionEmbeddings, "text_model.embeddings.position_embedding.weight", 0);
        yield return new ModuleCount("num_hidden_layers", NumHiddenLayers, "text_model.encoder.layers.");
        yield return new TensorDimension("intermediate_size", IntermediateSize, "text_model.encoder.layers.0.mlp.fc1.weight", 0);
    }
}

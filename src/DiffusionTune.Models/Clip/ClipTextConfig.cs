using System.Text.Json.Serialization;

namespace DiffusionTune.Models.Clip;

/// <summary>The fields of a transformers <c>text_encoder/config.json</c> (CLIPTextConfig); defaults are transformers' own.</summary>
public sealed record ClipTextConfig
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

    public void Validate()
    {
        var problems = new List<string>();
        void Require(bool ok, string problem) { if (!ok) problems.Add(problem); }
        Require(Architectures is null || Architectures.Contains("CLIPTextModel") || Architectures.Contains("CLIPTextModelWithProjection"),
            $"architectures [{string.Join(", ", Architectures ?? [])}]: expected CLIPTextModel");
        Require(HiddenAct is "quick_gelu" or "gelu", $"hidden_act '{HiddenAct}': only quick_gelu and gelu are supported");
        Require(NumAttentionHeads > 0 && HiddenSize % NumAttentionHeads == 0, $"hidden_size {HiddenSize} is not divisible by num_attention_heads {NumAttentionHeads}");
        Require(NumHiddenLayers > 0 && VocabSize > 0 && MaxPositionEmbeddings > 0, "num_hidden_layers, vocab_size and max_position_embeddings must be positive");
        if (problems.Count > 0)
            throw new InvalidDataException("unsupported text encoder config: " + string.Join("; ", problems));
    }
}

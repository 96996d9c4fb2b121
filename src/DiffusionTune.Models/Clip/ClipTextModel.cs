using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Clip;

/// <summary>
/// The CLIP text encoder (transformers' <c>CLIPTextModel</c>) that conditions the UNet. Field names mirror
/// transformers, so <c>state_dict()</c> keys are <c>text_model.…</c> as in the diffusers <c>text_encoder/</c> folder.
/// </summary>
public sealed class ClipTextModel : nn.Module<Tensor, Tensor>
{
    public const string WeightsBaseName = "model";

    private readonly ClipTextTransformer text_model;

    public ClipTextModel(ClipTextConfig config) : base(nameof(ClipTextModel))
    {
        config.Validate();
        Config = config;
        text_model = new ClipTextTransformer(config);
        RegisterComponents();
    }

    public ClipTextConfig Config { get; }

    public ClipTextTransformer TextModel => text_model;

    /// <summary>Loads a transformers <c>text_encoder/</c> folder. An old <c>position_ids</c> buffer in the file is ignored.</summary>
    public static ClipTextModel FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
        PretrainedComponent.Load<ClipTextModel, ClipTextConfig>(
            folder, WeightsBaseName, ModelComponent.TextEncoder, c => new ClipTextModel(c), device ?? CPU, dtype).Model;

    public void SavePretrained(string folder, IReadOnlyDictionary<string, string>? metadata = null) =>
        PretrainedComponent.Save(folder, WeightsBaseName, Config, this, metadata);

    /// <summary>The conditioning SD 1.x uses: last_hidden_state.</summary>
    public override Tensor forward(Tensor inputIds) => text_model.call(inputIds);

    /// <summary>
    /// Encodes prompts with A1111's "clip skip": <paramref name="clipSkip"/> = 1 is the last layer, 2 the penultimate,
    /// and so on; the final LayerNorm is applied to whichever layer is used (as A1111 and diffusers' clip_skip do).
    /// </summary>
    /// <param name="inputEmbeddings">Optional token vectors replacing the embedding lookup (textual inversion).</param>
    public ClipTextOutput Encode(Tensor inputIds, int clipSkip = 1, Tensor? inputEmbeddings = null, bool allHiddenStates = false)
    {
        int layers = text_model.Encoder.LayerCount;
        if (clipSkip < 1 || clipSkip > layers)
            throw new ArgumentOutOfRangeException(nameof(clipSkip), clipSkip, $"clip skip must be between 1 and {layers}");
        using var scope = NewDisposeScope();
        var states = text_model.Encoder.call(text_model.Embeddings.call(inputIds, inputEmbeddings), layers);
        var chosen = states[layers - (clipSkip - 1)];
        var conditioning = text_model.FinalLayerNorm.call(chosen);
        var lastHidden = clipSkip == 1 ? conditioning : text_model.FinalLayerNorm.call(states[^1]);
        // transformers' pooling rule for these configs: the hidden state at the highest token id (the first EOS).
        var eos = inputIds.argmax(-1);
        var pooled = lastHidden[arange(inputIds.shape[0], ScalarType.Int64, inputIds.device), eos];
        var output = new ClipTextOutput(conditioning, lastHidden, pooled, allHiddenStates ? states : null);
        scope.MoveToOuter(output.Tensors);
        return output;
    }
}

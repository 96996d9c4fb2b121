using DiffusionTune.Contracts;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Loading;
using DiffusionTune.Models.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Engine;

/// <summary>The contract's view of a loaded <see cref="StableDiffusionModel"/> during training.</summary>
public sealed class HostedDiffusionModel(StableDiffusionModel model, int clipSkip) : IDiffusionModel
{
    public StableDiffusionModel Model => model;

    public nn.Module<Tensor, Tensor, Tensor, Tensor> Unet => model.Unet;

    public nn.Module TextEncoder => model.TextEncoder;

    public Embedding TokenEmbedding => model.TextEncoder.TextModel.Embeddings.TokenEmbedding;

    public int TextWidth => model.TextEncoder.Config.HiddenSize;

    public string Name => model.Name;

    public string ShortHash => model.ShortHash;

    public bool IsStableDiffusion2 => model.TextEncoder.Config.HiddenAct == "gelu";

    public Tensor EncodePrompts(IReadOnlyList<string> prompts) => Encode(model.TextEncoder, prompts);

    Tensor Encode(ClipTextModel textEncoder, IReadOnlyList<string> prompts)
    {
        using var scope = NewDisposeScope();
        var ids = prompts.Select(p => model.Tokenizer.Tokenize(p).InputIds[0]).ToArray();
        var input = tensor(ids.SelectMany(x => x).ToArray(), [prompts.Count, ClipTokenizer.ModelMaxLength], ScalarType.Int64).to(model.Device);
        using var output = textEncoder.Encode(input, clipSkip);
        return scope.MoveToOuter(output.Conditioning.alias());
    }

    public IReadOnlyList<long> AddTokens(IReadOnlyList<string> tokens, string initializer)
    {
        var initializerIds = model.Tokenizer.Encode(initializer);
        if (initializerIds.Length == 0) throw new ArgumentException($"the initializer word '{initializer}' has no tokens");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var table = TokenEmbedding.weight!;
        // A multi-token initializer starts from the mean of its token vectors.
        var start = table.index_select(0, tensor(initializerIds.Select(i => (long)i).ToArray(), device: table.device)).mean([0], keepdim: true);
        var vectors = start.expand(tokens.Count, -1).contiguous();
        return IsMultiVectorToken(tokens) ? model.AddMultiVectorToken(tokens[0], vectors) : model.AddTokens(tokens, vectors);
    }

    /// <summary>Whether <paramref name="tokens"/> are <c>t</c>, <c>t_1</c> … <c>t_{n-1}</c>: one word of n vectors (diffusers' layout).</summary>
    static bool IsMultiVectorToken(IReadOnlyList<string> tokens) =>
        tokens.Count > 1 && tokens.SequenceEqual(ClipTokenizer.MultiVectorTokenNames(tokens[0], tokens.Count));

    public nn.Module<Tensor, Tensor, Tensor, Tensor> FrozenUnetCopy()
    {
        var copy = MetaDevice.Build(() => new UNet2DConditionModel(model.Unet.Config));
        return Frozen(copy, model.Unet, "frozen UNet copy");
    }

    public IPromptEncoder FrozenPromptEncoderCopy()
    {
        // Rows added for new tokens (textual inversion) are part of the copy too.
        var config = model.TextEncoder.Config with { VocabSize = (int)TokenEmbedding.weight!.shape[0] };
        var copy = MetaDevice.Build(() => new ClipTextModel(config));
        return new FrozenPromptEncoder(this, Frozen(copy, model.TextEncoder, "frozen text-encoder copy"));
    }

    T Frozen<T>(T copy, nn.Module source, string name) where T : nn.Module
    {
        ParameterMaterializer.Load(copy, TensorSource.FromTensors(name, source.state_dict()), model.Device, model.Dtype);
        foreach (var parameter in copy.parameters()) parameter.requires_grad = false;
        copy.eval();
        return copy;
    }

    sealed class FrozenPromptEncoder(HostedDiffusionModel host, ClipTextModel textEncoder) : IPromptEncoder
    {
        public Tensor Encode(IReadOnlyList<string> prompts)
        {
            using var _ = no_grad();
            return host.Encode(textEncoder, prompts);
        }

        public void Dispose() => textEncoder.Dispose();
    }
}

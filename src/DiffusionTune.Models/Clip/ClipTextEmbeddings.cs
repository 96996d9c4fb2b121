using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Clip;

/// <summary>
/// Token plus learned absolute position embeddings. transformers keeps a <c>position_ids</c> buffer (saved by versions
/// before 4.31); it is always <c>arange(max_positions)</c>, so we compute it instead of storing it.
/// </summary>
public sealed class ClipTextEmbeddings : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Embedding token_embedding;
    private readonly Embedding position_embedding;

    public ClipTextEmbeddings(ClipTextConfig config) : base(nameof(ClipTextEmbeddings))
    {
        token_embedding = Layers.Embedding(config.VocabSize, config.HiddenSize);
        position_embedding = Layers.Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>The token embedding table, for textual inversion (adding and training new token vectors).</summary>
    public Embedding TokenEmbedding => token_embedding;

    /// <param name="inputEmbeddings">Token vectors to use instead of looking up <paramref name="inputIds"/> (textual inversion).</param>
    public override Tensor forward(Tensor inputIds, Tensor? inputEmbeddings)
    {
        using var scope = NewDisposeScope();
        var tokens = inputEmbeddings ?? token_embedding.call(inputIds);
        var positions = position_embedding.call(arange(inputIds.shape[^1], ScalarType.Int64, inputIds.device).unsqueeze(0));
        return scope.MoveToOuter(tokens + positions);
    }
}

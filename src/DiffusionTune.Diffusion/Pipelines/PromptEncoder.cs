using DiffusionTune.Models.Adapters;
using DiffusionTune.Models.Clip;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>
/// Turns prompts into the UNet's text conditioning: tokenize (A1111 weights, optional 75-token chunking), encode each
/// 77-token chunk with the text encoder (with clip skip), scale each token's features by its weight and restore the
/// chunk's mean as A1111 does, then concatenate the chunks along the sequence. Each prompt is encoded with the
/// prompt-gated adapters its own prompt opens (<see cref="PromptGates"/>).
/// </summary>
public sealed class PromptEncoder
{
    readonly ClipTokenizer _tokenizer;
    readonly ClipTextModel _textEncoder;
    readonly int _clipSkip;
    readonly ClipTokenizeOptions _options;
    readonly PromptGates? _gates;

    /// <param name="gates">The text encoder's prompt-gated adapters (<see cref="StableDiffusionModel.Gates"/>), or null when it has none.</param>
    public PromptEncoder(ClipTokenizer tokenizer, ClipTextModel textEncoder, int clipSkip = 1, LongPromptHandling longPrompts = LongPromptHandling.Truncate,
        PromptGates? gates = null)
    {
        _gates = gates;
        _tokenizer = tokenizer;
        _textEncoder = textEncoder;
        _clipSkip = clipSkip;
        _options = ClipTokenizeOptions.Default with { LongPrompts = longPrompts };
    }

    /// <summary>
    /// Encodes <paramref name="prompts"/> to [B, 77·chunks, D]; every prompt gets at least
    /// <paramref name="minimumChunks"/> chunks, and all get as many as the longest (extra chunks encode the empty prompt).
    /// </summary>
    public Tensor Encode(IReadOnlyList<string> prompts, int minimumChunks = 1) => Encode(prompts, minimumChunks, gatedBy: prompts);

    /// <summary>As <see cref="Encode(IReadOnlyList{string}, int)"/>, prompt i encoded with the gated adapters that <paramref name="gatedBy"/>[i] opens.</summary>
    Tensor Encode(IReadOnlyList<string> prompts, int minimumChunks, IReadOnlyList<string> gatedBy)
    {
        using var scope = NewDisposeScope();
        var tokenized = prompts.Select(p => _tokenizer.TokenizeWeighted(p, _options)).ToList();
        int chunks = Math.Max(minimumChunks, tokenized.Max(t => t.ChunkCount));
        var empty = _tokenizer.Tokenize("", _options);
        var device = _textEncoder.parameters().First().device;

        var perPrompt = new List<Tensor>();
        for (int p = 0; p < tokenized.Count; p++)
        {
            var prompt = tokenized[p];
            using var gates = _gates?.Open([gatedBy[p]]);
            var pieces = new List<Tensor>();
            for (int c = 0; c < chunks; c++)
            {
                var (ids, weights) = c < prompt.ChunkCount
                    ? (prompt.InputIds[c], prompt.Weights[c])
                    : (empty.InputIds[0], empty.Weights[0]);
                pieces.Add(EncodeChunk(ids, weights, device));
            }
            perPrompt.Add(cat(pieces, 1));
        }
        return scope.MoveToOuter(cat(perPrompt, 0));
    }

    /// <summary>
    /// Encodes the positive and negative prompts of a batch to conditionings of equal length. Negative prompt i is gated
    /// by positive prompt i: the unconditional pass of an image belongs to that image's prompt, so an adapter its prompt
    /// triggers applies to both passes, as it would ungated.
    /// </summary>
    public (Tensor Positive, Tensor Negative) EncodePair(IReadOnlyList<string> prompts, IReadOnlyList<string> negativePrompts)
    {
        var positive = Encode(prompts);
        var negative = Encode(negativePrompts, ChunkCount(positive), gatedBy: prompts);
        if (ChunkCount(negative) > ChunkCount(positive))
        {
            positive.Dispose();
            positive = Encode(prompts, ChunkCount(negative));
        }
        return (positive, negative);
    }

    static int ChunkCount(Tensor conditioning) => (int)(conditioning.shape[1] / ClipTokenizer.ModelMaxLength);

    Tensor EncodeChunk(long[] ids, float[] weights, Device device)
    {
        using var scope = NewDisposeScope();
        var input = tensor(ids, ScalarType.Int64, device).unsqueeze(0);
        using var output = _textEncoder.Encode(input, _clipSkip);
        var features = output.Conditioning.alias();
        if (weights.Any(w => w != 1f))
        {
            var weightTensor = tensor(weights, ScalarType.Float32, device).view(1, -1, 1).to(features.dtype);
            var originalMean = features.to(ScalarType.Float32).mean();
            features = features * weightTensor;
            features = features * (originalMean / features.to(ScalarType.Float32).mean()).to(features.dtype);
        }
        return scope.MoveToOuter(features);
    }
}

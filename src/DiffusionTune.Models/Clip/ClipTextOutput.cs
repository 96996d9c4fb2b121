using static TorchSharp.torch;

namespace DiffusionTune.Models.Clip;

/// <summary>What <see cref="ClipTextModel.Encode"/> returns; disposing it disposes its tensors.</summary>
/// <param name="Conditioning">The hidden states the UNet is conditioned on (after clip skip and the final LayerNorm).</param>
/// <param name="LastHiddenState">The last layer's output after the final LayerNorm.</param>
/// <param name="PooledOutput">The final state at each sequence's EOS token.</param>
/// <param name="HiddenStates">Embedding output and every layer's output (no final LayerNorm), when asked for.</param>
public sealed record ClipTextOutput(Tensor Conditioning, Tensor LastHiddenState, Tensor PooledOutput, Tensor[]? HiddenStates) : IDisposable
{
    internal IEnumerable<Tensor> Tensors =>
        new[] { Conditioning, LastHiddenState, PooledOutput }.Concat(HiddenStates ?? []).Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>();

    public void Dispose()
    {
        foreach (var tensor in Tensors) tensor.Dispose();
    }
}

using DiffusionTune.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace BiasDeltaTrainer;

/// <summary>
/// The adapter <see cref="BiasDeltaTrainer"/> saves: one tensor per UNet bias, <c>unet.&lt;parameter name&gt;</c>, holding
/// how far training moved it. Applying adds strength × delta to each bias; undoing copies the originals back.
/// </summary>
public sealed class BiasDeltaFormat : IAdapterFormat
{
    /// <summary>The format's name in the files' metadata.</summary>
    public const string FormatName = "test.bias-delta";

    /// <summary>The prefix of the UNet's tensors in the file.</summary>
    public const string UnetPrefix = "unet.";

    /// <inheritdoc/>
    public string Name => FormatName;

    /// <inheritdoc/>
    public IDisposable Apply(nn.Module unet, nn.Module textEncoder, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string> metadata, double strength)
    {
        var parameters = unet.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var targets = new List<(Tensor Bias, Tensor Delta)>();
        foreach (var (key, delta) in tensors)
        {
            var name = key.StartsWith(UnetPrefix, StringComparison.Ordinal) ? key[UnetPrefix.Length..] : key;
            if (!parameters.TryGetValue(name, out var bias))
                throw new ArgumentException($"tensor '{key}' names no parameter of this model's UNet");
            if (!bias.shape.SequenceEqual(delta.shape))
                throw new ArgumentException($"tensor '{key}' has shape [{string.Join(", ", delta.shape)}], the model's [{string.Join(", ", bias.shape)}]");
            targets.Add((bias, delta));
        }
        var restore = new BiasRestore(targets.Select(t => (t.Bias, t.Bias.detach().clone())).ToList());
        using (no_grad())
        {
            foreach (var (bias, delta) in targets)
                bias.add_(delta.to(bias.dtype, bias.device), alpha: strength);
        }
        return restore;
    }

    /// <summary>Copies the biases' values from before <see cref="Apply"/> back.</summary>
    sealed class BiasRestore(List<(Tensor Bias, Tensor Original)> originals) : IDisposable
    {
        public void Dispose()
        {
            using (no_grad())
            {
                foreach (var (bias, original) in originals)
                {
                    bias.copy_(original);
                    original.Dispose();
                }
            }
            originals.Clear();
        }
    }
}

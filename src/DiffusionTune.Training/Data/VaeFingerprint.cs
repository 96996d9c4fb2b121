using System.Security.Cryptography;
using System.Text;
using DiffusionTune.Models.Vae;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Data;

/// <summary>
/// A SHA-256 of a VAE's weights as they are loaded (names, dtypes, shapes and bytes of every parameter and buffer, and
/// the latent scaling): two VAEs with the same fingerprint encode every image alike, whichever file they came from.
/// </summary>
public static class VaeFingerprint
{
    /// <summary>Lower-case hex SHA-256 of <paramref name="vae"/>'s weights and scaling.</summary>
    public static string Compute(AutoencoderKL vae)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Text(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        var config = vae.Config;
        Text(FormattableString.Invariant($"scaling_factor={config.ScalingFactor:R} shift_factor={config.ShiftFactor:R}"));
        var tensors = vae.named_parameters().Select(p => (p.name, Tensor: (Tensor)p.parameter))
            .Concat(vae.named_buffers().Select(b => (b.name, Tensor: b.buffer)))
            .OrderBy(t => t.name, StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            Text($"{name} {tensor.dtype} [{string.Join(",", tensor.shape)}]");
            using var scope = NewDisposeScope();
            hash.AppendData(tensor.detach().cpu().contiguous().bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

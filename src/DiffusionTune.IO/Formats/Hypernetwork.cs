using System.Security.Cryptography;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>One slot of a hypernetwork MLP with its tensors (Linear and LayerNorm slots; null for the others).</summary>
public sealed record HypernetworkLayer(HypernetworkSlot Slot, Tensor? Weight, Tensor? Bias);

/// <summary>The K and V modules of one context width: the MLPs applied to the attention context before to_k and to_v.</summary>
public sealed record HypernetworkModulePair(IReadOnlyList<HypernetworkLayer> Key, IReadOnlyList<HypernetworkLayer> Value);

/// <summary>
/// An A1111 hypernetwork read from a file: per context width, the MLPs that change the attention context before the
/// key and value projections (see <see cref="HypernetworkStructure"/>). Owns its tensors (float32, CPU).
/// </summary>
public sealed class Hypernetwork : IDisposable
{
    readonly Lazy<string> _shortHash;

    public Hypernetwork(string filePath, string name, HypernetworkStructure structure, IReadOnlyDictionary<int, HypernetworkModulePair> modules, long? step)
    {
        FilePath = Path.GetFullPath(filePath);
        Name = name;
        Structure = structure;
        Modules = modules;
        Step = step;
        _shortHash = new(() =>
        {
            using var stream = File.OpenRead(FilePath);
            return Convert.ToHexStringLower(SHA256.HashData(stream))[..ShortHashLength];
        });
    }

    /// <summary>How many hex digits of the file's SHA-256 A1111 shows as a hypernetwork's short hash.</summary>
    public const int ShortHashLength = 10;

    public string FilePath { get; }

    /// <summary>The name the file gives itself, or its file name without extension.</summary>
    public string Name { get; }

    public HypernetworkStructure Structure { get; }

    /// <summary>The module pairs by the context width they apply to (768 for SD 1.x text, 320/640/1280 for self-attention, …).</summary>
    public IReadOnlyDictionary<int, HypernetworkModulePair> Modules { get; }

    /// <summary>The training step it was saved at, when the file says.</summary>
    public long? Step { get; }

    /// <summary>A1111's short hash: the first 10 hex digits of the file's SHA-256.</summary>
    public string ShortHash => _shortHash.Value;

    public void Dispose()
    {
        foreach (var pair in Modules.Values)
        {
            foreach (var layer in pair.Key.Concat(pair.Value))
            {
                layer.Weight?.Dispose();
                layer.Bias?.Dispose();
            }
        }
    }
}

using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Adapters;

/// <summary>Hypernetworks for the tiny model (context widths 32 for text, 64 for self-attention), layer structure 1, 2, 1 with ReLU.</summary>
static class HypernetworkTestData
{
    public static readonly HypernetworkStructure Structure = new()
    {
        LayerStructure = [1, 2, 1],
        Activation = "relu",
        DropoutStructure = [0, 0, 0],
    };

    /// <summary>Tensors under the safetensors keys, N(0, <paramref name="scale"/>) (all zero for scale 0).</summary>
    public static Dictionary<string, Tensor> Tensors(double scale, int seed, params int[] widths)
    {
        using var random = new Generator(0, CPU).manual_seed(seed);
        var tensors = new Dictionary<string, Tensor>();
        foreach (int width in widths)
        {
            foreach (var side in new[] { "k", "v" })
            {
                foreach (var slot in Structure.Slots(width).Where(s => s.Kind == HypernetworkSlotKind.Linear))
                {
                    tensors[$"{width}.{side}.linear.{slot.Index}.weight"] = randn([slot.Out, slot.In], generator: random) * scale;
                    tensors[$"{width}.{side}.linear.{slot.Index}.bias"] = randn([slot.Out], generator: random) * scale;
                }
            }
        }
        return tensors;
    }

    /// <summary>Writes <paramref name="tensors"/> as a hypernetwork .safetensors file and reads it back.</summary>
    public static Hypernetwork Write(string path, Dictionary<string, Tensor> tensors)
    {
        var metadata = Structure.ToMetadata();
        metadata["name"] = Path.GetFileNameWithoutExtension(path);
        SafetensorsWriter.Save(path, tensors, metadata);
        return HypernetworkFile.Read(path);
    }
}

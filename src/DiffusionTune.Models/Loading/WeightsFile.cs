using DiffusionTune.IO;

namespace DiffusionTune.Models.Loading;

/// <summary>Finds the weights file of one component folder of a diffusers/transformers model.</summary>
public static class WeightsFile
{
    /// <summary>
    /// The safetensors weights in <paramref name="folder"/> named <paramref name="baseName"/>.safetensors (or the
    /// <c>.fp16</c> variant). Pickle-based <c>.bin</c>/<c>.ckpt</c> files are refused: unpickling can run arbitrary code.
    /// </summary>
    public static string Find(string folder, string baseName)
    {
        foreach (var candidate in new[] { $"{baseName}.safetensors", $"{baseName}.fp16.safetensors" })
        {
            var path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return path;
        }
        var pickle = new[] { $"{baseName}.bin", $"{baseName}.fp16.bin", $"{baseName}.ckpt" }
            .Select(name => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
        if (pickle is not null)
            throw new ModelFileException(pickle, PickleRefusal);
        throw new ModelFileException(folder, $"no weights found: expected {baseName}.safetensors");
    }

    public const string PickleRefusal =
        "is a PyTorch pickle (.bin/.ckpt/.pt), which is never loaded here because unpickling runs arbitrary code. " +
        "Convert it to .safetensors first, for example with the 'safetensors' Python package " +
        "(safetensors.torch.save_file(torch.load(path, weights_only=True), 'model.safetensors')), " +
        "or download the .safetensors version, which most model pages offer.";
}

using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;

namespace DiffusionTune.Workflows.Loading;

/// <summary>Where a command writes a whole model: a new diffusers folder, or a new single <c>.safetensors</c> file.</summary>
public sealed record ModelOutput(string Path, bool SingleFile)
{
    /// <summary>
    /// Resolves an <c>--output</c> path. The format is <paramref name="format"/> (<c>diffusers</c> or
    /// <c>safetensors</c>) when given, else a single file for a <c>.safetensors</c> path and a folder otherwise.
    /// </summary>
    /// <param name="verb">The command, for messages.</param>
    /// <exception cref="ArgumentException">The path exists, names a pickle, or does not suit the format.</exception>
    public static ModelOutput Resolve(string output, string? format, string verb)
    {
        var path = System.IO.Path.GetFullPath(output);
        if (System.IO.Path.Exists(path))
            throw new ArgumentException($"{output} already exists; {verb} never overwrites, so choose a new path");
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".ckpt" or ".pt" or ".pth" or ".bin")
            throw new ArgumentException($"{output}: pickle checkpoints are not written; use a .safetensors path or a folder");
        bool singleFile = format switch
        {
            null => extension == ".safetensors",
            "safetensors" => extension == ".safetensors"
                ? true
                : throw new ArgumentException($"{output}: a single-file model (--model-format safetensors) needs a path ending in .safetensors"),
            "diffusers" => extension != ".safetensors"
                ? false
                : throw new ArgumentException($"{output}: a diffusers model is a folder; give a path without .safetensors or use --model-format safetensors"),
            _ => throw new ArgumentException($"--model-format '{format}' is not diffusers or safetensors"),
        };
        return new ModelOutput(path, singleFile);
    }

    /// <summary>"single file" or "diffusers folder".</summary>
    public string Kind => SingleFile ? "single file" : "diffusers folder";

    /// <summary>
    /// Writes <paramref name="model"/> here, whole or not at all, and never over anything (not even an output another
    /// run wrote meanwhile): a single file atomically, a diffusers folder built under a temporary name and renamed
    /// into place.
    /// </summary>
    /// <exception cref="FileAccessException">The path was taken meanwhile, or the system refused a write (a full disk).</exception>
    public void Save(StableDiffusionModel model, IReadOnlyDictionary<string, string> metadata)
    {
        if (SingleFile)
            model.SaveSingleFile(Path, metadata, overwrite: false);
        else
            AtomicFolder.Create(Path, folder => model.SaveDiffusers(folder, metadata));
    }
}

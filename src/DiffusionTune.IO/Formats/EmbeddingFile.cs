using System.Globalization;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// Reads textual-inversion embedding files of every common dialect: A1111 (<c>string_to_param</c>), kohya
/// (<c>emb_params</c>), OneTrainer (<c>emp_params</c>) and diffusers (<c>{token: tensor}</c>), as .safetensors or as
/// torch.save .pt/.bin files (read by the restricted <see cref="TorchPickleFile"/>, so they cannot run code).
/// </summary>
public static class EmbeddingFile
{
    /// <summary>The extensions embedding files have.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".safetensors", ".pt", ".bin"];

    /// <summary>Most vectors one trigger word may take: a prompt chunk holds 75 tokens.</summary>
    public const int MaxVectors = 75;

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="ModelFileException">The file is unreadable, unsafe, or not an SD 1.x/2.x embedding.</exception>
    public static TextualInversionEmbedding Read(string path)
    {
        if (Path.GetExtension(path).Equals(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            using var file = SafetensorsFile.Open(path);
            return Read(EmbeddingTensors.FromSafetensors(file));
        }
        using var pickle = TorchPickleFile.Open(path);
        return Read(EmbeddingTensors.FromTorchPickle(pickle));
    }

    static TextualInversionEmbedding Read(EmbeddingTensors source)
    {
        if (source.Contains("clip_l") && source.Contains("clip_g"))
            throw new ModelFileException(source.FilePath, "is an SDXL embedding (clip_l + clip_g); SD 1.x/2.x models cannot use it");
        var (format, name) = A1111EmbeddingFormat.Find(source) is { } a1111 ? (A1111EmbeddingFormat.FormatName, a1111)
            : KohyaEmbeddingFormat.Find(source) is { } kohya ? (KohyaEmbeddingFormat.FormatName, kohya)
            : OneTrainerEmbeddingFormat.Find(source) is { } oneTrainer ? (OneTrainerEmbeddingFormat.FormatName, oneTrainer)
            : DiffusersEmbeddingFormat.Find(source) is { } diffusers ? (DiffusersEmbeddingFormat.FormatName, diffusers)
            : throw new ModelFileException(source.FilePath, source.Names.Count == 0
                ? "holds no tensors: not a textual-inversion embedding"
                : $"is not a textual-inversion embedding of a known format (A1111 string_to_param, kohya emb_params, OneTrainer emp_params, or diffusers with one tensor); it holds {string.Join(", ", source.Names.Take(5))}{(source.Names.Count > 5 ? ", …" : "")}");

        var shape = source.Shape(name);
        if (shape.Count is not (1 or 2) || shape[^1] == 0 || shape.Count == 2 && shape[0] is 0 or > MaxVectors)
            throw new ModelFileException(source.FilePath, $"'{name}' has shape [{string.Join(", ", shape)}]; an embedding is [vectors (1 to {MaxVectors}), width]");
        using var scope = NewDisposeScope();
        var stored = source.Load(name);
        if (!stored.is_floating_point())
            throw new ModelFileException(source.FilePath, $"'{name}' holds {stored.dtype} values, not floating-point vectors");
        var vectors = scope.MoveToOuter(stored.to(ScalarType.Float32).reshape(-1, shape[^1]).contiguous());
        long? step = source.Values.TryGetValue("step", out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        return new TextualInversionEmbedding(source.FilePath, vectors, format, step);
    }
}

using System.Security.Cryptography;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// A textual-inversion embedding read from a file: the vectors its trigger word stands for in prompts. As in A1111,
/// the trigger word is the file name without its extension, whatever token the file was trained with. Owns
/// <see cref="Vectors"/>.
/// </summary>
public sealed class TextualInversionEmbedding : IDisposable
{
    readonly Lazy<string> _shortHash;

    public TextualInversionEmbedding(string filePath, Tensor vectors, string format, long? step)
    {
        FilePath = Path.GetFullPath(filePath);
        Vectors = vectors;
        Format = format;
        Step = step;
        _shortHash = new(() =>
        {
            using var stream = File.OpenRead(FilePath);
            return Convert.ToHexStringLower(SHA256.HashData(stream))[..ShortHashLength];
        });
    }

    /// <summary>How many hex digits of the file's SHA-256 A1111 writes into "TI hashes".</summary>
    public const int ShortHashLength = 12;

    public string FilePath { get; }

    /// <summary>The trigger word: the file name without extension.</summary>
    public string Name => Path.GetFileNameWithoutExtension(FilePath);

    /// <summary>[vectors, width] float32 on the CPU: one row per token position the trigger word takes in a prompt.</summary>
    public Tensor Vectors { get; }

    public int VectorCount => (int)Vectors.shape[0];

    /// <summary>The text encoder width the vectors were made for (768 for SD 1.x, 1024 for SD 2.x).</summary>
    public int Width => (int)Vectors.shape[1];

    /// <summary>The file's dialect: A1111, kohya, OneTrainer or diffusers.</summary>
    public string Format { get; }

    /// <summary>The training step it was saved at, when the file says.</summary>
    public long? Step { get; }

    /// <summary>A1111's short embedding hash (for "TI hashes" in image metadata): the first 12 hex digits of the file's SHA-256.</summary>
    public string ShortHash => _shortHash.Value;

    public void Dispose() => Vectors.Dispose();
}

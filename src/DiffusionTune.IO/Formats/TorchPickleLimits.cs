namespace DiffusionTune.IO.Formats;

/// <summary>
/// Bounds on what <see cref="TorchPickleFile"/> accepts, so that a hostile file cannot exhaust memory or time. The
/// defaults are far above what torch.save writes for embeddings, hypernetworks and LoRAs. A file that exceeds one is
/// refused with a <see cref="ModelFileException"/> naming the limit.
/// </summary>
public sealed record TorchPickleLimits
{
    /// <summary>The defaults.</summary>
    public static TorchPickleLimits Default { get; } = new();

    /// <summary>Largest file opened at all.</summary>
    public long MaxFileBytes { get; init; } = 4L << 30;

    /// <summary>Largest <c>data.pkl</c> (the object tree; tensor data lives in other entries).</summary>
    public int MaxPickleBytes { get; init; } = 64 << 20;

    /// <summary>Most entries in the archive.</summary>
    public int MaxArchiveEntries { get; init; } = 100_000;

    /// <summary>Largest ratio of an entry's uncompressed to compressed size (torch.save stores entries uncompressed).</summary>
    public int MaxCompressionRatio { get; init; } = 100;

    /// <summary>Most bytes of storage data read from one file, all storages together.</summary>
    public long MaxStorageBytes { get; init; } = 2L << 30;

    /// <summary>Largest single tensor materialised (a view can repeat storage elements with zero strides).</summary>
    public long MaxTensorBytes { get; init; } = 2L << 30;

    /// <summary>Most values the pickle may create (strings, numbers, containers, …) plus items it stores in containers.</summary>
    public int MaxObjects { get; init; } = 5_000_000;

    /// <summary>Most memo entries (values the pickle stores for reuse).</summary>
    public int MaxMemoEntries { get; init; } = 1_000_000;

    /// <summary>Deepest nesting of containers in containers (open MARKs may be twice as deep).</summary>
    public int MaxNesting { get; init; } = 64;

    /// <summary>Longest string used as a dict key, in characters (keys are hashed on every insertion).</summary>
    public int MaxKeyLength { get; init; } = 4096;

    /// <summary>Most dimensions of a tensor.</summary>
    public int MaxTensorDimensions { get; init; } = 16;
}

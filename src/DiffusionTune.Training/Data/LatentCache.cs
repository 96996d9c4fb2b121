using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Data;

/// <summary>
/// The latent distributions of every image variant a run can use, encoded once before training (possible only while
/// the VAE is frozen). Held in memory, and optionally on disk as one safetensors file per VAE in a cache folder,
/// <c>latents-&lt;VAE fingerprint&gt;.safetensors</c>, whose entries are keyed by <see cref="ImageVariant.ContentKey"/>
/// (the image file's content, size, crop and flip). A later run with the same VAE reuses every entry it finds and
/// encodes only the rest, so changing one image or a preprocessing setting re-encodes just what changed; a changed
/// VAE misses the file altogether. The file is rewritten to hold exactly the current variants, and files of other
/// VAEs in the folder are deleted, so the folder does not grow without bound.
/// <para>
/// Random crop cannot be cached (every epoch crops anew): <see cref="BatchPlanner.AllVariants"/> refuses it with an
/// <see cref="ArgumentException"/>, and such runs use <see cref="VaeLatentEncoder"/> directly as their latent source.
/// </para>
/// </summary>
public sealed class LatentCache : ILatentSource, IDisposable
{
    /// <summary>The start of cache file names.</summary>
    public const string FilePrefix = "latents-";

    const string FormatName = "diffusiontune-latent-cache";
    const string FormatVersion = "1";

    readonly Dictionary<string, LatentMoments> _entries;

    LatentCache(Dictionary<string, LatentMoments> entries, int reused, int encoded, string? filePath, IReadOnlyList<string> warnings)
    {
        _entries = entries;
        Reused = reused;
        Encoded = encoded;
        FilePath = filePath;
        Warnings = warnings;
    }

    /// <summary>Variants whose latents came from the cache file.</summary>
    public int Reused { get; }

    /// <summary>Variants encoded by this build.</summary>
    public int Encoded { get; }

    /// <summary>The cache file, or null for a cache kept in memory only.</summary>
    public string? FilePath { get; }

    /// <summary>Problems met reading an existing cache file (which is then rebuilt), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>How many variants the cache holds.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Encodes (or, with <paramref name="folder"/>, loads what it can of) <paramref name="variants"/> with
    /// <paramref name="encoder"/>. <paramref name="progress"/> hears (encoded, to encode) as batches finish; cancelling
    /// stops it before the next batch, with the cache file as it was.
    /// </summary>
    public static LatentCache Build(IReadOnlyList<ImageVariant> variants, VaeLatentEncoder encoder, string? folder = null, Action<int, int>? progress = null,
        CancellationToken cancellation = default)
    {
        var wanted = variants.DistinctBy(v => v.ContentKey).ToList();
        var entries = new Dictionary<string, LatentMoments>();
        var warnings = new List<string>();
        try
        {
            string? path = null;
            string? fingerprint = null;
            bool stale = false;
            if (folder is not null)
            {
                fingerprint = VaeFingerprint.Compute(encoder.Vae);
                path = Path.Combine(folder, $"{FilePrefix}{fingerprint[..16]}.safetensors");
                if (File.Exists(path)) stale = LoadEntries(path, fingerprint, wanted, encoder, entries, warnings);
            }
            int reused = entries.Count;

            var missing = wanted.Where(v => !entries.ContainsKey(v.ContentKey)).ToList();
            var encoded = encoder.Encode(missing, progress, cancellation);
            for (int i = 0; i < missing.Count; i++) entries[missing[i].ContentKey] = encoded[i];

            if (path is not null && (missing.Count > 0 || stale))
            {
                Save(path, fingerprint!, entries);
                DeleteOtherCacheFiles(folder!, path);
            }
            return new LatentCache(entries, reused, missing.Count, path, warnings);
        }
        catch
        {
            foreach (var moments in entries.Values) moments.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public Tensor Sample(IReadOnlyList<ImageVariant> variants, Generator random)
    {
        var moments = variants.Select(v => _entries.TryGetValue(v.ContentKey, out var m)
            ? m
            : throw new ArgumentException($"{v.Image.Path}: the latent cache has no {v.Size} {(v.Flipped ? "mirrored " : "")}variant of this image; build the cache from the same planner that draws the batches")).ToList();
        using var batch = LatentMoments.Stack(moments);
        return batch.Sample(random);
    }

    /// <summary>
    /// Loads the entries of <paramref name="wanted"/> that the file holds. Returns whether the file must be rewritten
    /// (it holds entries no longer wanted, or cannot be used).
    /// </summary>
    static bool LoadEntries(string path, string fingerprint, List<ImageVariant> wanted, VaeLatentEncoder encoder,
        Dictionary<string, LatentMoments> entries, List<string> warnings)
    {
        try
        {
            using var file = SafetensorsFile.Open(path);
            if (!file.Metadata.TryGetValue("format", out var format) || format != FormatName
                || !file.Metadata.TryGetValue("version", out var version) || version != FormatVersion
                || !file.Metadata.TryGetValue("vae", out var vae) || vae != fingerprint)
            {
                warnings.Add($"{path}: not a latent cache of this format and VAE; encoding every image again");
                return true;
            }
            var loaded = new Dictionary<string, LatentMoments>();
            try
            {
                foreach (var variant in wanted)
                {
                    string key = variant.ContentKey;
                    if (!file.Contains(key + ".mean") || !file.Contains(key + ".std")) continue;
                    var shape = encoder.LatentShape(variant.Size);
                    foreach (var name in new[] { key + ".mean", key + ".std" })
                    {
                        var entry = file.Entry(name);
                        if (entry.ScalarType != ScalarType.Float32 || !entry.Shape.SequenceEqual(shape))
                            throw new ModelFileException(path, $"entry '{name}' is {entry.Dtype} [{string.Join(", ", entry.Shape)}], expected F32 [{string.Join(", ", shape)}]");
                    }
                    loaded[key] = new LatentMoments(file.Load(key + ".mean"), file.Load(key + ".std"));
                }
            }
            catch
            {
                foreach (var moments in loaded.Values) moments.Dispose();
                throw;
            }
            foreach (var (key, moments) in loaded) entries[key] = moments;
            return file.Entries.Count != 2 * loaded.Count;
        }
        catch (ModelFileException e)
        {
            warnings.Add($"{e.Message}; encoding every image again");
            return true;
        }
    }

    static void Save(string path, string fingerprint, Dictionary<string, LatentMoments> entries)
    {
        var tensors = entries.SelectMany(e => new[]
        {
            KeyValuePair.Create(e.Key + ".mean", e.Value.Mean),
            KeyValuePair.Create(e.Key + ".std", e.Value.Std),
        });
        SafetensorsWriter.Save(path, tensors, new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["vae"] = fingerprint,
        });
    }

    static void DeleteOtherCacheFiles(string folder, string keep)
    {
        foreach (var file in Directory.EnumerateFiles(folder, FilePrefix + "*.safetensors"))
        {
            if (!string.Equals(Path.GetFullPath(file), Path.GetFullPath(keep), StringComparison.Ordinal)) File.Delete(file);
        }
    }

    /// <summary>Frees every cached tensor.</summary>
    public void Dispose()
    {
        foreach (var moments in _entries.Values) moments.Dispose();
        _entries.Clear();
    }
}

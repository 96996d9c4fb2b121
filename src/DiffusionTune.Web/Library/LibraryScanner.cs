using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Web.Safety;

namespace DiffusionTune.Web.Library;

/// <summary>
/// Finds the models, LoRAs, embeddings and hypernetworks in the roots and reads their safetensors headers (never
/// their tensors). A diffusers pipeline folder (with model_index.json) is one model. Pickled files (.pt, .ckpt) are
/// listed by name only: the library does not open them.
/// </summary>
public sealed class LibraryScanner(RootedPaths roots)
{
    /// <summary>Folders deeper than this below a root are not searched.</summary>
    const int MaxDepth = 6;

    /// <summary>At most this many files are listed, so a huge root cannot stall the page.</summary>
    const int MaxItems = 2000;

    static readonly string[] Extensions = [".safetensors", ".pt", ".ckpt"];

    /// <summary>The file that makes a folder a diffusers pipeline.</summary>
    const string PipelineIndex = "model_index.json";

    /// <summary>Every model file (and pipeline folder) in the roots, by root then path.</summary>
    public IReadOnlyList<LibraryItem> Scan()
    {
        var items = new List<LibraryItem>();
        foreach (var root in roots.Roots)
        {
            if (!Directory.Exists(root.FullPath)) continue;
            foreach (var file in Files(root, root.FullPath, 0).Order(StringComparer.Ordinal))
            {
                if (items.Count >= MaxItems) return items;
                items.Add(Read(root, file));
            }
        }
        return items;
    }

    static IEnumerable<string> Files(RootFolder root, string folder, int depth)
    {
        IEnumerable<string> entries;
        try
        {
            entries = [.. Directory.EnumerateFileSystemEntries(folder)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var entry in entries)
        {
            if (Path.GetFileName(entry).StartsWith('.')) continue;
            // A link leading out of the root is not followed: the library shows only what is inside the roots.
            if (!RootedPaths.Contains(root, entry)) continue;
            if (Directory.Exists(entry))
            {
                // A diffusers pipeline folder is one model, not a heap of component files.
                if (File.Exists(Path.Combine(entry, PipelineIndex)))
                    yield return entry;
                else if (depth < MaxDepth)
                    foreach (var file in Files(root, entry, depth + 1)) yield return file;
            }
            else if (Extensions.Contains(Path.GetExtension(entry), StringComparer.OrdinalIgnoreCase))
                yield return entry;
        }
    }

    static LibraryItem Read(RootFolder root, string file)
    {
        var relative = RootedPaths.Relative(root, file);
        if (Directory.Exists(file))
        {
            var size = new DirectoryInfo(file).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            return new LibraryItem(root.Name, relative, LibraryItemKind.Model, size, null, null, new Dictionary<string, string>(), null, DamageSummary.Beside(file));
        }
        var bytes = new FileInfo(file).Length;
        var damage = DamageSummary.Beside(file);
        if (!file.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            return new LibraryItem(root.Name, relative, KindFromFolder(file), bytes, null, null, new Dictionary<string, string>(), null, damage);
        try
        {
            using var model = SafetensorsFile.Open(file);
            var metadata = model.Metadata;
            var settings = metadata.Where(m => m.Key.StartsWith("ss_", StringComparison.Ordinal))
                .OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(m => m.Key, m => m.Value);
            return new LibraryItem(root.Name, relative, Kind(model, file), bytes, BaseModel(metadata), Trigger(metadata), settings, null, damage);
        }
        catch (Exception e) when (e is ModelFileException or IOException or UnauthorizedAccessException)
        {
            return new LibraryItem(root.Name, relative, LibraryItemKind.Unknown, bytes, null, null, new Dictionary<string, string>(), e.Message, damage);
        }
    }

    /// <summary>The kind by the header: metadata first, then the tensor names each format uses.</summary>
    static LibraryItemKind Kind(SafetensorsFile model, string file)
    {
        var metadata = model.Metadata;
        if (metadata.ContainsKey("diffusiontune.adapter_format")) return LibraryItemKind.Adapter;
        if (metadata.ContainsKey("ss_network_module")) return LibraryItemKind.Lora;
        // HypernetworkFile's safetensors form keeps the design in the metadata.
        if (metadata.ContainsKey("layer_structure")) return LibraryItemKind.Hypernetwork;
        var names = model.Names.ToList();
        if (names.Any(n => n.Contains("lora_down", StringComparison.Ordinal) || n.Contains("lora_A", StringComparison.Ordinal) || n.Contains("lora_up", StringComparison.Ordinal)))
            return LibraryItemKind.Lora;
        // kohya's emb_params, A1111's string_to_param.*, OneTrainer's clip_l/clip_g.
        if (names.Any(n => n.StartsWith("string_to_param.", StringComparison.Ordinal) || n is "emb_params" or "clip_l" or "clip_g"))
            return LibraryItemKind.Embedding;
        if (names.Any(n => n.StartsWith("model.diffusion_model.", StringComparison.Ordinal) || n.StartsWith("unet.", StringComparison.Ordinal)) || metadata.ContainsKey(ModelMetadata.UNetConfig))
            return LibraryItemKind.Model;
        return KindFromFolder(file);
    }

    /// <summary>The kind by the folder it sits in (A1111's and this tool's conventions: models/Lora, embeddings, hypernetworks).</summary>
    static LibraryItemKind KindFromFolder(string file)
    {
        var folders = Path.GetDirectoryName(file)!.ToLowerInvariant();
        if (folders.Contains("hypernetwork")) return LibraryItemKind.Hypernetwork;
        if (folders.Contains("embedding")) return LibraryItemKind.Embedding;
        if (folders.Contains("lora")) return LibraryItemKind.Lora;
        return LibraryItemKind.Unknown;
    }

    static string? BaseModel(IReadOnlyDictionary<string, string> metadata) =>
        First(metadata, "ss_sd_model_name", "ss_base_model_version", "modelspec.architecture");

    static string? Trigger(IReadOnlyDictionary<string, string> metadata) =>
        First(metadata, ModelMetadata.Trigger, "modelspec.trigger_phrase");

    static string? First(IReadOnlyDictionary<string, string> metadata, params string[] keys) =>
        keys.Select(k => metadata.GetValueOrDefault(k)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}

using System.Globalization;
using DiffusionTune.Contracts;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Training.Plugins;
using DiffusionTune.Workflows.Plugins;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>An adapter of a plugin's format applied to a model, as the manifest names it.</summary>
/// <param name="Format">The format its metadata names (<see cref="IAdapterFormat.MetadataKey"/>).</param>
public sealed record AppliedPluginAdapter(string Path, string Format, double Strength);

/// <summary>
/// Applies <c>--adapter FILE[:STRENGTH]</c> files, each through the plugin format its metadata names
/// (<see cref="IAdapterFormat"/>), until disposed, which undoes them in reverse order.
/// </summary>
public sealed class PluginAdapterApplication : IDisposable
{
    readonly List<IDisposable> _undos;

    PluginAdapterApplication(List<IDisposable> undos, IReadOnlyList<AppliedPluginAdapter> applied)
    {
        _undos = undos;
        Applied = applied;
    }

    /// <summary>Parses one <c>--adapter</c> argument (the file must exist).</summary>
    public static (string Path, double Strength) Parse(string argument) => FileStrengthArgument.Parse(argument, "--adapter", "adapter");

    /// <summary>What was applied, in order.</summary>
    public IReadOnlyList<AppliedPluginAdapter> Applied { get; }

    /// <summary>
    /// Applies every file to <paramref name="model"/> in order through the format its metadata names, loading the
    /// plugins of <paramref name="pluginFolders"/> (and the default folders) only when there is a file to apply.
    /// </summary>
    /// <exception cref="ModelFileException">A file names no format.</exception>
    /// <exception cref="ArgumentException">No installed plugin provides a file's format.</exception>
    /// <exception cref="TrainerPluginException">The format's Apply failed.</exception>
    public static PluginAdapterApplication Apply(StableDiffusionModel model, IReadOnlyList<(string Path, double Strength)> files, IReadOnlyList<string> pluginFolders,
        IWorkflowReporter reporter)
    {
        if (files.Count == 0) return new PluginAdapterApplication([], []);
        var catalog = PluginRoots.LoadWithWarnings(pluginFolders, reporter);
        var undos = new List<IDisposable>();
        var applied = new List<AppliedPluginAdapter>();
        try
        {
            foreach (var (path, strength) in files)
            {
                undos.Add(ApplyFile(catalog, model, path, strength, out var format));
                applied.Add(new AppliedPluginAdapter(path, format, strength));
                reporter.Message($"Adapter {System.IO.Path.GetFileName(path)} ({format}) at strength {strength.ToString(CultureInfo.InvariantCulture)}");
            }
            return new PluginAdapterApplication(undos, applied);
        }
        catch
        {
            Undo(undos);
            throw;
        }
    }

    static IDisposable ApplyFile(PluginCatalog catalog, StableDiffusionModel model, string path, double strength, out string formatName)
    {
        using var file = SafetensorsFile.Open(path);
        formatName = file.Metadata.TryGetValue(IAdapterFormat.MetadataKey, out var name) && !string.IsNullOrWhiteSpace(name)
            ? name
            : throw new ModelFileException(path, $"names no adapter format (metadata key '{IAdapterFormat.MetadataKey}'); --adapter takes files a plugin's adapter format wrote (LoRAs go to --lora)");
        var format = catalog.FindAdapterFormat(formatName, path);
        var tensors = new Dictionary<string, TorchSharp.torch.Tensor>();
        try
        {
            foreach (var entry in file.Entries) tensors[entry.Name] = file.Load(entry);
            try
            {
                return format.Format.Apply(model.Unet, model.TextEncoder, tensors, file.Metadata, strength)
                    ?? throw new InvalidOperationException("returned null instead of what undoes it");
            }
            catch (Exception e)
            {
                throw new TrainerPluginException(format.Name, $"Apply of {path}", e);
            }
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }

    /// <summary>The image-metadata entry recording <paramref name="applied"/> (<c>Adapters: name (format) strength, …</c>); none when empty.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ParametersEntries(IReadOnlyList<AppliedPluginAdapter> applied) =>
        applied.Count == 0 ? [] : [new("Adapters", string.Join(", ", applied.Select(a =>
            $"{System.IO.Path.GetFileNameWithoutExtension(a.Path).Replace(",", "")} ({a.Format}) {a.Strength.ToString("R", CultureInfo.InvariantCulture)}")))];

    public void Dispose() => Undo(_undos);

    /// <summary>Undoes the applications in reverse order, so that stacked adapters restore the weights they found.</summary>
    static void Undo(List<IDisposable> undos)
    {
        for (int i = undos.Count - 1; i >= 0; i--) undos[i].Dispose();
        undos.Clear();
    }
}

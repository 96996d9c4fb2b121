using DiffusionTune.Contracts;
using DiffusionTune.Training.Plugins;
using DiffusionTune.Workflows.Plugins;
using DiffusionTune.Workflows.Presets;

namespace DiffusionTune.Web.Training;

/// <summary>What the Train page offers: the presets (read once each time the page asks, so a new file shows) and the trainer plugins with their declared options (loaded once).</summary>
public sealed class TrainerCatalog
{
    readonly Lazy<PluginCatalog> _plugins = new(() => PluginRoots.Load([]));

    /// <summary>The plugins of the default folders, loaded once (checking settings needs them at every change of the form).</summary>
    public PluginCatalog Plugins => _plugins.Value;

    /// <summary>The installed trainers.</summary>
    public IReadOnlyList<TrainerInfo> Trainers => [.. Plugins.Trainers.Select(t => t.Info)];

    /// <summary>The trainer named <paramref name="name"/> (ignoring case), or null.</summary>
    public TrainerInfo? Trainer(string? name) =>
        name is null ? null : Trainers.FirstOrDefault(t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The presets in use (those not hidden by a same-named one), read; a preset that cannot be read is left out.</summary>
    public IReadOnlyList<Preset> Presets()
    {
        var presets = new List<Preset>();
        foreach (var entry in PresetLibrary.Load([]).Entries.Where(e => e.HiddenBy is null))
        {
            try
            {
                presets.Add(PresetReader.Read(entry.Path));
            }
            catch (Exception e) when (e is ArgumentException or IOException)
            {
                // `presets list` names the broken file; the page offers the presets that work.
            }
        }
        return presets;
    }

    /// <summary>The preset <paramref name="name"/>, or null when there is none (or it cannot be read).</summary>
    public Preset? Preset(string? name) =>
        string.IsNullOrEmpty(name) ? null : Presets().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}

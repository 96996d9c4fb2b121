using DiffusionTune.Web.Datasets;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Safety;
using DiffusionTune.Workflows.Presets;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Web.Training;

/// <summary>
/// Turns a <see cref="TrainJobSettings"/> into the workflow's <see cref="TrainRequest"/>: the YAML read by the preset
/// reader, every path resolved inside the roots (or the managed datasets), and the places the server owns (output, run
/// folder, device) set by the server. Problems are one line each, as the CLI words them, with the YAML's line.
/// </summary>
public sealed class TrainRequestBuilder(RootedPaths roots, DatasetStore datasets)
{
    /// <summary>Settings the server sets itself: the image folder comes from the picker, the job decides where it writes and on which device.</summary>
    static readonly TrainSetting[] ServerOwned = [TrainSettings.Images, TrainSettings.Output, TrainSettings.Run, TrainSettings.Device];

    /// <summary>Settings that name a file or folder to read: given as <c>ROOT/relative/path</c>, resolved inside that root.</summary>
    public static readonly TrainSetting[] RootedPathSettings = [TrainSettings.Model, TrainSettings.ClassImagesFolder];

    /// <summary>Whether the page offers <paramref name="setting"/> (the server sets the others).</summary>
    public static bool Editable(TrainSetting setting) => !ServerOwned.Contains(setting);

    /// <summary>The request for a job writing into <paramref name="outputFolder"/> on <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentException">The settings have problems; the message lists them, one a line.</exception>
    public TrainRequest Build(TrainJobSettings settings, string outputFolder, string device)
    {
        var problems = new List<string>();
        var given = new List<(TrainSetting Setting, SettingValue Value)>();
        if (settings.Preset is { } preset && !IsPresetName(preset))
            problems.Add($"'{preset}' is not a preset name (letters, digits, '-' and '_'; see the preset cards)");
        if (!string.IsNullOrWhiteSpace(settings.Yaml))
        {
            try
            {
                foreach (var (setting, value) in PresetReader.Parse(SettingsFile.Name, settings.Yaml).Values)
                {
                    if (!Editable(setting))
                        problems.Add(value.Origin.Describe("is set by the page (the image folder picker; each job writes into its own folder, on its own device)"));
                    else if (RootedPathSettings.Contains(setting) && value.Value is string path)
                        AddRooted(setting, path, value.Origin, given, problems);
                    else
                        given.Add((setting, value));
                }
            }
            catch (TrainSettingsException e)
            {
                problems.AddRange(e.Problems);
            }
        }
        var page = new SettingOrigin("the page");
        try
        {
            given.Add((TrainSettings.Images, new SettingValue(ImageFolder(settings), new SettingOrigin("the image folder"))));
        }
        catch (Exception e) when (e is PathOutsideRootException or ArgumentException or KeyNotFoundException)
        {
            problems.Add($"the image folder: {e.Message}");
        }
        if (problems.Count > 0) throw new TrainSettingsException(problems);
        given.Add((TrainSettings.Output, new SettingValue(outputFolder, page)));
        given.Add((TrainSettings.Device, new SettingValue(device, page)));
        var ordered = given.OrderBy(g => IndexOf(g.Setting)).ToList();
        return new TrainRequest(settings.Preset, [], [], ordered);
    }

    /// <summary>The image folder the settings pick: a managed dataset, or a folder inside a root.</summary>
    string ImageFolder(TrainJobSettings settings)
    {
        if (!string.IsNullOrEmpty(settings.Dataset)) return datasets.FolderOf(settings.Dataset);
        if (string.IsNullOrEmpty(settings.ImagesRoot)) throw new ArgumentException("no image folder: pick a dataset or a folder");
        return roots.Resolve(settings.ImagesRoot, settings.ImagesPath);
    }

    void AddRooted(TrainSetting setting, string path, SettingOrigin origin, List<(TrainSetting, SettingValue)> given, List<string> problems)
    {
        int slash = path.IndexOf('/');
        try
        {
            var full = slash < 0 ? roots.Resolve(path, "") : roots.Resolve(path[..slash], path[(slash + 1)..]);
            given.Add((setting, new SettingValue(full, origin)));
        }
        catch (PathOutsideRootException e)
        {
            problems.Add(origin.Describe($"{e.Message} (give ROOT/relative/path; roots: {string.Join(", ", roots.Roots.Select(r => r.Name))})"));
        }
    }

    static bool IsPresetName(string name) => name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    static int IndexOf(TrainSetting setting)
    {
        for (int i = 0; i < TrainSettings.All.Count; i++)
            if (TrainSettings.All[i] == setting) return i;
        return int.MaxValue;
    }
}

using DiffusionTune.Training.Engine;

namespace DiffusionTune.Workflows.Presets;

/// <summary>
/// The preset folders, in precedence order: <c>--presets-folder</c> folders, then the user's folder
/// (<c>~/.local/share/diffusiontune/presets</c> on Linux, <c>%LOCALAPPDATA%\diffusiontune\presets</c> on Windows),
/// then the built-in <c>presets/</c> next to the executable. A name found in more than one folder resolves to the first.
/// </summary>
public sealed class PresetLibrary
{
    PresetLibrary(IReadOnlyList<PresetEntry> entries) => Entries = entries;

    /// <summary>The <see cref="PresetEntry.Source"/> of the presets that ship with DiffusionTune.</summary>
    public const string BuiltInSource = "built-in";

    /// <summary>The presets that ship with DiffusionTune.</summary>
    public static string BuiltInFolder => System.IO.Path.Combine(AppContext.BaseDirectory, "presets");

    /// <summary>Where a user keeps their own presets.</summary>
    public static string UserFolder => System.IO.Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "diffusiontune", "presets");

    /// <summary>Every preset file found, in precedence order (hidden ones included).</summary>
    public IReadOnlyList<PresetEntry> Entries { get; }

    /// <summary>Finds the presets in <paramref name="extraFolders"/>, the user's folder and the built-in folder.</summary>
    public static PresetLibrary Load(IEnumerable<string> extraFolders)
    {
        var folders = extraFolders.Select(folder => (Folder: folder, Source: "--presets-folder"))
            .Append((UserFolder, "user"))
            .Append((BuiltInFolder, BuiltInSource));
        var used = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var entries = new List<PresetEntry>();
        foreach (var (folder, source) in folders)
        {
            if (!Directory.Exists(folder)) continue;
            var files = Directory.EnumerateFiles(folder, "*.yaml").Concat(Directory.EnumerateFiles(folder, "*.yml")).Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                var name = System.IO.Path.GetFileNameWithoutExtension(file);
                entries.Add(new PresetEntry(name, file, source, used.GetValueOrDefault(name)));
                used.TryAdd(name, file);
            }
        }
        return new PresetLibrary(entries);
    }

    /// <summary>
    /// The file <paramref name="nameOrPath"/> means: a path when it names a .yaml/.yml file or contains a folder
    /// separator, else the first preset of that name.
    /// </summary>
    public string Locate(string nameOrPath)
    {
        bool isPath = nameOrPath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || nameOrPath.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            || nameOrPath.Contains('/') || nameOrPath.Contains(System.IO.Path.DirectorySeparatorChar);
        if (isPath)
            return File.Exists(nameOrPath) ? System.IO.Path.GetFullPath(nameOrPath) : throw new FileNotFoundException($"{nameOrPath}: preset file not found", nameOrPath);
        var names = Entries.Where(e => e.HiddenBy is null).Select(e => e.Name).ToList();
        return Entries.FirstOrDefault(e => e.HiddenBy is null && e.Name.Equals(nameOrPath, StringComparison.OrdinalIgnoreCase))?.Path
            ?? throw new ArgumentException(names.Count == 0
                ? $"no preset named '{nameOrPath}': no presets were found (looked in {BuiltInFolder} and {UserFolder})"
                : $"no preset named '{nameOrPath}'{NameSuggestions.Hint(nameOrPath, names)}; presets: {string.Join(", ", names)} (see `presets list`)");
    }
}

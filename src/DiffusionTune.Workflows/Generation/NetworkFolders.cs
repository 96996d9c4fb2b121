namespace DiffusionTune.Workflows.Generation;

/// <summary>
/// The folders that prompt tags' network names are looked up in: those given with <c>--lora-dir</c>, then those in the
/// <c>DIFFUSIONTUNE_LORA_DIRS</c> environment variable (separated by the platform's path separator, ':' or ';').
/// A name matches a file, searched recursively, whose name without extension it equals (case-insensitively), or whose
/// path relative to its folder it equals (<c>&lt;lora:styles/ink&gt;</c>); the first folder with a match wins.
/// </summary>
public sealed class NetworkFolders(IReadOnlyList<string> folders)
{
    public const string EnvironmentVariable = "DIFFUSIONTUNE_LORA_DIRS";

    /// <summary>The folders searched, in order.</summary>
    public IReadOnlyList<string> Folders { get; } = folders;

    /// <summary>The folders <paramref name="given"/> on the command line, then those of the environment variable.</summary>
    public static NetworkFolders From(IReadOnlyList<string> given)
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable)?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        foreach (var folder in given)
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--lora-dir {folder}: folder not found");
        return new NetworkFolders([.. given, .. configured]);
    }

    /// <summary>The file a tag of <paramref name="kind"/> named <paramref name="name"/> means, or null when no folder has one.</summary>
    public string? Find(ExtraNetworkKind kind, string name)
    {
        string[] extensions = kind == ExtraNetworkKind.Lora ? [".safetensors"] : [".pt", ".safetensors"];
        var wanted = name.Replace('\\', '/');
        foreach (var folder in Folders.Where(Directory.Exists))
        {
            var match = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(file => extensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .FirstOrDefault(file => Matches(folder, file, wanted));
            if (match is not null) return match;
        }
        return null;
    }

    /// <summary>Where <see cref="Find"/> looked, for a warning: the folders and file kinds, or how to give a folder.</summary>
    public string Described(ExtraNetworkKind kind)
    {
        var extensions = kind == ExtraNetworkKind.Lora ? ".safetensors" : ".pt or .safetensors";
        return Folders.Count == 0
            ? $"no LoRA folder is given (--lora-dir DIR, or {EnvironmentVariable})"
            : $"no {extensions} file of that name in {string.Join(", ", Folders)}";
    }

    static bool Matches(string folder, string file, string wanted)
    {
        var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
        var withoutExtension = relative[..^Path.GetExtension(relative).Length];
        return string.Equals(Path.GetFileNameWithoutExtension(file), wanted, StringComparison.OrdinalIgnoreCase)
            || string.Equals(withoutExtension, wanted, StringComparison.OrdinalIgnoreCase)
            || string.Equals(relative, wanted, StringComparison.OrdinalIgnoreCase);
    }
}

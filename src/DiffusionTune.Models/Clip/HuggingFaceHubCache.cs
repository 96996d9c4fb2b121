namespace DiffusionTune.Models.Clip;

/// <summary>Finds model files in the local Hugging Face hub cache (the layout huggingface_hub downloads into).</summary>
static class HuggingFaceHubCache
{
    /// <summary>
    /// The cache folders to look in, most specific first, as huggingface_hub resolves them: HF_HUB_CACHE
    /// (or its older name HUGGINGFACE_HUB_CACHE), HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub and
    /// ~/.cache/huggingface/hub.
    /// </summary>
    public static IReadOnlyList<string> CandidateDirectories(Func<string, string?> environment, string homeDirectory)
    {
        var candidates = new List<string>();
        void AddIfSet(string? path)
        {
            if (!string.IsNullOrWhiteSpace(path) && !candidates.Contains(Path.GetFullPath(path)))
                candidates.Add(Path.GetFullPath(path));
        }

        AddIfSet(environment("HF_HUB_CACHE"));
        AddIfSet(environment("HUGGINGFACE_HUB_CACHE"));
        if (environment("HF_HOME") is { Length: > 0 } hfHome)
            AddIfSet(Path.Combine(hfHome, "hub"));
        if (environment("XDG_CACHE_HOME") is { Length: > 0 } xdgCache)
            AddIfSet(Path.Combine(xdgCache, "huggingface", "hub"));
        AddIfSet(Path.Combine(homeDirectory, ".cache", "huggingface", "hub"));
        return candidates;
    }

    /// <summary>The folders searched for the current user and environment.</summary>
    public static IReadOnlyList<string> DefaultCandidateDirectories() =>
        CandidateDirectories(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>
    /// The snapshot folder of <paramref name="repositoryId"/> (e.g. "openai/clip-vit-large-patch14") under
    /// <paramref name="hubDirectory"/> that holds all <paramref name="requiredFiles"/>: the revision refs/main points
    /// to when it has them, else the most recently written snapshot that does. Null when there is none.
    /// </summary>
    public static string? FindSnapshot(string hubDirectory, string repositoryId, IReadOnlyList<string> requiredFiles)
    {
        string repositoryDirectory = Path.Combine(hubDirectory, "models--" + repositoryId.Replace("/", "--"));
        string snapshots = Path.Combine(repositoryDirectory, "snapshots");
        if (!Directory.Exists(snapshots))
            return null;

        bool IsComplete(string snapshot) => requiredFiles.All(file => File.Exists(Path.Combine(snapshot, file)));

        string mainRef = Path.Combine(repositoryDirectory, "refs", "main");
        if (File.Exists(mainRef))
        {
            string mainSnapshot = Path.Combine(snapshots, File.ReadAllText(mainRef).Trim());
            if (IsComplete(mainSnapshot))
                return mainSnapshot;
        }
        return new DirectoryInfo(snapshots).EnumerateDirectories()
            .Where(snapshot => IsComplete(snapshot.FullName))
            .OrderByDescending(snapshot => snapshot.LastWriteTimeUtc)
            .Select(snapshot => snapshot.FullName)
            .FirstOrDefault();
    }
}

namespace DiffusionTune.Tests;

static class TestPaths
{
    public static string Data(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "TestData", .. parts]);

    public static string Fixture(params string[] parts) => Data(["fixtures", .. parts]);

    /// <summary>The repository root (the folder holding DiffusionTune.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// The team's reference folder beside the checkout (<c>../shared/reference</c>); present on developer machines
    /// and in CI, absent for a user who cloned the repository. Null when absent.
    /// </summary>
    public static string? SharedReference
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "reference"));
            return Directory.Exists(path) ? path : null;
        }
    }

    public static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "diffusiontune-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DiffusionTune.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no DiffusionTune.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fact that needs <c>../shared/reference</c>; it is skipped, saying why, where that folder is absent.</summary>
sealed class SharedReferenceFactAttribute : FactAttribute
{
    public SharedReferenceFactAttribute(string relativePath)
    {
        var root = TestPaths.SharedReference;
        if (root is null || !Path.Exists(Path.Combine(root, relativePath)))
            Skip = $"needs ../shared/reference/{relativePath} beside the checkout (reference data that is not ours to commit)";
    }
}

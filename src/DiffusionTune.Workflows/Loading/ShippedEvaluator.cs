namespace DiffusionTune.Workflows.Loading;

/// <summary>The shapes-world classifier that ships with DiffusionTune (a folder next to the executable).</summary>
public static class ShippedEvaluator
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "models", "shapes-evaluator");

    /// <summary>The evaluator to use when the user names none; a clear error when the shipped one is missing.</summary>
    public static string Resolve(string? userChoice)
    {
        if (userChoice is not null) return userChoice;
        if (!Directory.Exists(Folder))
            throw new DirectoryNotFoundException($"no --evaluator was given and the shipped one is missing (expected {Folder}); train one with 'train-evaluator --output DIR' and pass --evaluator DIR");
        return Folder;
    }
}

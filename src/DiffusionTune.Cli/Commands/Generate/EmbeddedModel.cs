namespace DiffusionTune.Cli.Commands.Generate;

/// <summary>The small base model that ships with DiffusionTune (a diffusers folder next to the executable).</summary>
public static class EmbeddedModel
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "models", "shapes-world");

    /// <summary>The model to use when the user names none; a clear error when the embedded one is missing.</summary>
    public static string Resolve(string? userChoice)
    {
        if (userChoice is not null) return userChoice;
        if (!Directory.Exists(Folder))
            throw new DirectoryNotFoundException($"no --model was given and the embedded model is missing (expected {Folder}); pass --model PATH");
        return Folder;
    }
}

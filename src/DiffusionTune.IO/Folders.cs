namespace DiffusionTune.IO;

/// <summary>Creates the folders that outputs and runs go into.</summary>
public static class Folders
{
    /// <summary>Creates <paramref name="path"/> and any missing parents (nothing when it exists).</summary>
    /// <exception cref="FileAccessException">The system refused (a full disk, a read-only parent, a file in the way); the message names the folder.</exception>
    public static void Create(string path) =>
        FileAccessException.Guard(path, "create", () =>
        {
            Directory.CreateDirectory(path);
        });
}

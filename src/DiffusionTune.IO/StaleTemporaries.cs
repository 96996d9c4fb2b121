namespace DiffusionTune.IO;

/// <summary>
/// Removes the temporaries (<see cref="TemporaryName"/>) that a killed process left where it was writing: files and
/// whole folders, with nothing else touched. The caller says which final names are its own and must make sure that no
/// live process is writing them (by holding a lock on what it owns).
/// </summary>
public static class StaleTemporaries
{
    /// <summary>
    /// Removes the temporaries in <paramref name="folder"/> whose final name <paramref name="ours"/> accepts; with
    /// <paramref name="includeSubfolders"/>, in its subfolders too (symbolic links are never followed).
    /// </summary>
    public static RemovedTemporaries Remove(string folder, Func<string, bool> ours, bool includeSubfolders = false)
    {
        var removed = new RemovedTemporaries();
        if (!Directory.Exists(folder)) return removed;
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (TemporaryName.FinalNameOf(entry.Name) is { } final && ours(final)) removed += Delete(entry);
            else if (includeSubfolders && entry is DirectoryInfo subfolder && subfolder.LinkTarget is null)
                removed += Remove(subfolder.FullName, ours, includeSubfolders);
        }
        return removed;
    }

    static RemovedTemporaries Delete(FileSystemInfo entry)
    {
        long bytes = SizeOf(entry);
        // A link is removed itself, never what it points to.
        if (entry is DirectoryInfo folder && folder.LinkTarget is null) folder.Delete(recursive: true);
        else entry.Delete();
        return new RemovedTemporaries(1, bytes);
    }

    static long SizeOf(FileSystemInfo entry) => entry switch
    {
        { LinkTarget: not null } => 0,
        FileInfo file => file.Length,
        DirectoryInfo folder => folder.EnumerateFileSystemInfos().Sum(SizeOf),
        _ => 0,
    };
}

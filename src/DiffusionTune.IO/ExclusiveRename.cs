using System.Runtime.InteropServices;

namespace DiffusionTune.IO;

/// <summary>
/// Gives a finished temporary file or folder its final name only while that name is free, in one step: of two writers
/// racing to the same new path exactly one wins, and the other is told the name is taken. Nothing anyone wrote is
/// ever replaced.
/// </summary>
static partial class ExclusiveRename
{
    /// <summary>Renames the file <paramref name="source"/> to <paramref name="destination"/>; false, leaving both as they are, when that name is taken.</summary>
    public static bool File(string source, string destination)
    {
        // On Unix .NET's File.Move(overwrite: false) checks that the target is absent and then calls rename(2), which
        // replaces a file created in between. link(2) adds the new name only if it is free, in one step.
        if (!OperatingSystem.IsWindows() && Linked(source, destination))
        {
            System.IO.File.Delete(source);
            return true;
        }
        if (Path.Exists(destination)) return false;
        // On Windows MoveFileEx without MOVEFILE_REPLACE_EXISTING fails, atomically, when the target exists. Elsewhere
        // this file system has no hard links (FAT, some network and FUSE mounts) or link(2) failed otherwise: .NET's
        // move publishes the file (checking first, the best such a file system allows) or raises the system's error.
        return Attempt(() => System.IO.File.Move(source, destination, overwrite: false), destination);
    }

    /// <summary>Renames the folder <paramref name="source"/> to <paramref name="destination"/>; false, leaving both as they are, when that name is taken.</summary>
    /// <remarks>
    /// Directory.Move checks first and then calls rename(2) (MoveFileEx on Windows), and neither replaces a folder that
    /// holds anything or a file: a folder another writer renamed into place meanwhile makes this one fail, not vanish.
    /// </remarks>
    public static bool Folder(string source, string destination) =>
        Attempt(() => Directory.Move(source, destination), destination);

    static bool Attempt(Action rename, string destination)
    {
        try
        {
            rename();
            return true;
        }
        catch (IOException) when (Path.Exists(destination))
        {
            return false;
        }
    }

    static bool Linked(string source, string destination)
    {
        try
        {
            return Link(source, destination) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}

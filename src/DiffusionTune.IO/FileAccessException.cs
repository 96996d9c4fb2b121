using System.Runtime.InteropServices;

namespace DiffusionTune.IO;

/// <summary>
/// A file or folder the operating system would not let this program read or write: a full disk, a read-only folder,
/// a symlink loop, an output that another process created meanwhile. The message names the path as the user gave it
/// and the system's reason (<c>could not write outputs/x.png: No space left on device</c>), so the CLI can print it
/// as it is. It is an <see cref="IOException"/>, so code that tolerates I/O failures keeps doing so.
/// </summary>
public sealed class FileAccessException : IOException
{
    public FileAccessException(string path, string action, string problem, Exception? inner = null)
        : base($"could not {action} {path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file or folder, as the caller named it (never a temporary name).</summary>
    public string FilePath { get; }

    /// <summary>What the system said, without a path.</summary>
    public string Problem { get; }

    /// <summary>
    /// Runs <paramref name="operation"/> on <paramref name="path"/>; an I/O error or a refused access it raises becomes
    /// a <see cref="FileAccessException"/> naming <paramref name="path"/>, with <paramref name="action"/> ("read",
    /// "write") as its verb. Missing files keep their own exceptions, which callers already report as "not found".
    /// </summary>
    public static T Guard<T>(string path, string action, Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (IsRefusal(e))
        {
            throw new FileAccessException(path, action, ReasonOf(e), e);
        }
    }

    /// <inheritdoc cref="Guard{T}(string, string, Func{T})"/>
    public static void Guard(string path, string action, Action operation) =>
        Guard(path, action, () =>
        {
            operation();
            return true;
        });

    static bool IsRefusal(Exception e) =>
        e is UnauthorizedAccessException || e is IOException and not (FileAccessException or FileNotFoundException or DirectoryNotFoundException);

    static string ReasonOf(Exception e) => e switch
    {
        UnauthorizedAccessException { InnerException: IOException inner } => ReasonOf(inner),
        UnauthorizedAccessException => "permission denied",
        // On Unix .NET keeps the errno in HResult: its text is the reason without the path .NET appends (often a
        // temporary file's).
        IOException { HResult: > 0 and < 4096 } => Marshal.GetPInvokeErrorMessage(e.HResult),
        _ => e.Message,
    };
}

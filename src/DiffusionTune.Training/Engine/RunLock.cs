using DiffusionTune.IO;

namespace DiffusionTune.Training.Engine;

/// <summary>
/// One process at a time per run folder: an exclusive lock on the folder's <c>run.lock</c>, held until disposed. The
/// operating system drops it when the process ends, however it ends (kill -9 included), so a stale lock file never
/// blocks a later run. Holding it means that no other live process is writing the run's files, which is what makes
/// removing the temporaries of an interrupted run safe.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = "run.lock";

    readonly FileStream _file;

    RunLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of <paramref name="runFolder"/> (creating the folder), or refuses in one line when another process holds it.</summary>
    /// <exception cref="ArgumentException">Another process holds the lock.</exception>
    /// <exception cref="FileAccessException">The folder or the lock file cannot be created (a full disk, a read-only parent).</exception>
    public static RunLock Acquire(string runFolder)
    {
        Folders.Create(runFolder);
        var path = Path.Combine(runFolder, FileName);
        return FileAccessException.Guard(path, "write", () =>
        {
            try
            {
                // FileShare.None is an exclusive lock: LockFileEx on Windows, flock elsewhere.
                return new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (IsHeldElsewhere(e))
            {
                throw new ArgumentException($"{runFolder}: another training run is using this run folder (it holds {FileName}); wait for it to end, or give this run its own --run or --name");
            }
        });
    }

    /// <summary>
    /// The lock is taken, as opposed to another failure (a full disk): a sharing or lock violation on Windows, flock's
    /// EWOULDBLOCK elsewhere, which .NET reports as the error number (11 on Linux, 35 on macOS and the BSDs).
    /// </summary>
    static bool IsHeldElsewhere(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is SharingViolation or LockViolation : e.HResult == (OperatingSystem.IsLinux() ? 11 : 35);

    const int SharingViolation = 32, LockViolation = 33;

    public void Dispose() => _file.Dispose();
}

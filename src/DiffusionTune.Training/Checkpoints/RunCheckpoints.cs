using System.Globalization;
using System.Text.RegularExpressions;
using DiffusionTune.IO;

namespace DiffusionTune.Training.Checkpoints;

/// <summary>
/// The resumable checkpoints of one training run: folders <c>checkpoints/step-000500/</c> under the run folder, each
/// written into a temporary folder and renamed into place when complete, so a crash mid-save never leaves a
/// half-written checkpoint that looks valid. Only the newest <see cref="KeepLast"/> are kept.
/// </summary>
public sealed partial class RunCheckpoints
{
    public RunCheckpoints(string runFolder, int keepLast = 2)
    {
        if (keepLast < 1) throw new ArgumentOutOfRangeException(nameof(keepLast), keepLast, "keep at least one checkpoint");
        Folder = Path.Combine(Path.GetFullPath(runFolder), "checkpoints");
        KeepLast = keepLast;
    }

    public string Folder { get; }

    public int KeepLast { get; }

    /// <summary>Writes a checkpoint for <paramref name="step"/>; <paramref name="write"/> fills the (temporary) folder it is given.</summary>
    /// <exception cref="FileAccessException">The system refused a write (a full disk), named under the checkpoint's final name.</exception>
    public string Save(int step, Action<string> write)
    {
        var final = Path.Combine(Folder, NameOf(step));
        AtomicFolder.Create(final, write, overwrite: true);
        foreach (var old in Completed().SkipLast(KeepLast)) Directory.Delete(old.Folder, recursive: true);
        return final;
    }

    /// <summary>
    /// Removes the temporary checkpoint folders of saves that never finished (the process was killed while writing
    /// them); to be called only by the process holding the run's lock, so that none of them is still being written.
    /// </summary>
    public RemovedTemporaries RemoveUnfinished() => StaleTemporaries.Remove(Folder, name => CheckpointName().IsMatch(name));

    /// <summary>The newest complete checkpoint, or null when the run has none.</summary>
    public (int Step, string Folder)? Latest() => Completed().Select(c => ((int, string)?)c).LastOrDefault();

    IEnumerable<(int Step, string Folder)> Completed()
    {
        if (!Directory.Exists(Folder)) return [];
        return Directory.EnumerateDirectories(Folder)
            .Select(path => (Match: CheckpointName().Match(Path.GetFileName(path)), Path: path))
            .Where(c => c.Match.Success)
            .Select(c => (int.Parse(c.Match.Groups[1].Value, CultureInfo.InvariantCulture), c.Path))
            .OrderBy(c => c.Item1);
    }

    static string NameOf(int step) => $"step-{step:D6}";

    [GeneratedRegex(@"^step-(\d{6,})$")]
    private static partial Regex CheckpointName();
}

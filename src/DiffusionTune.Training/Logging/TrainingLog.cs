using System.Text.Json;
using DiffusionTune.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Logging;

/// <summary>
/// A run's log: TensorBoard event files (scalars and sample images, viewable with <c>tensorboard --logdir</c>) plus a
/// JSON-lines file of the same scalars that any tool can read. A write the system refuses (a full disk) is a
/// <see cref="FileAccessException"/> naming the logs folder or file.
/// <para>
/// A resumed run logs the steps after its checkpoint again. <see cref="Rewind"/> drops the interrupted run's rows of
/// those steps from the JSON-lines file, so it holds each step once. The TensorBoard events are left as they are:
/// every start writes a new event file, read after the older ones, and TensorBoard, on meeting a step again in a
/// later file, drops the earlier file's points from that step on (its default loader does; the legacy Python loader,
/// <c>--load_fast=false</c>, shows both).
/// </para>
/// </summary>
public sealed class TrainingLog : IDisposable
{
    const string JsonLinesFile = "scalars.jsonl";

    readonly string _folder;
    readonly SummaryWriter _tensorBoard;
    readonly string _jsonLinesPath;
    StreamWriter _jsonLines;

    public TrainingLog(string runFolder)
    {
        _folder = FolderOf(runFolder);
        Folders.Create(_folder);
        _tensorBoard = FileAccessException.Guard(_folder, "write", () => utils.tensorboard.SummaryWriter(_folder));
        _jsonLinesPath = Path.Combine(_folder, JsonLinesFile);
        _jsonLines = OpenJsonLines();
    }

    /// <summary>Where a run's logs are.</summary>
    public static string FolderOf(string runFolder) => Path.Combine(runFolder, "logs");

    public void Scalars(int step, IReadOnlyDictionary<string, double> values) => FileAccessException.Guard(_folder, "write", () =>
    {
        foreach (var (name, value) in values) _tensorBoard.add_scalar(name, (float)value, step);
        _jsonLines.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["step"] = step, ["values"] = values }));
    });

    /// <summary>
    /// Drops the JSON-lines rows of steps after <paramref name="step"/> (and a last row a kill cut short), rewriting the
    /// file atomically when there is anything to drop: the run goes on from <paramref name="step"/>.
    /// </summary>
    public void Rewind(int step)
    {
        _jsonLines.Dispose();
        var rows = FileAccessException.Guard(_jsonLinesPath, "read", () => File.ReadAllLines(_jsonLinesPath));
        var kept = rows.Where(row => StepOf(row) <= step).ToList();
        if (kept.Count < rows.Length)
            AtomicFile.WriteAllText(_jsonLinesPath, string.Concat(kept.Select(row => row + Environment.NewLine)));
        _jsonLines = OpenJsonLines();
    }

    /// <summary>The step of a row; a row that is not one (cut short) counts as after every step.</summary>
    static int StepOf(string row)
    {
        try
        {
            using var document = JsonDocument.Parse(row);
            return document.RootElement.TryGetProperty("step", out var step) && step.TryGetInt32(out int value) ? value : int.MaxValue;
        }
        catch (JsonException)
        {
            return int.MaxValue;
        }
    }

    StreamWriter OpenJsonLines() => FileAccessException.Guard(_jsonLinesPath, "write", () =>
        new StreamWriter(new FileStream(_jsonLinesPath, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true });

    /// <summary>Logs [3, H, W] images in [0, 1].</summary>
    public void Image(int step, string name, Tensor image) =>
        FileAccessException.Guard(_folder, "write", () => _tensorBoard.add_img(name, image, step));

    public void Dispose()
    {
        _jsonLines.Dispose();
    }
}

using System.Text.Json;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Logging;

/// <summary>
/// A run's log: TensorBoard event files (scalars and sample images, viewable with <c>tensorboard --logdir</c>) plus a
/// JSON-lines file of the same scalars that any tool can read.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    readonly SummaryWriter _tensorBoard;
    readonly StreamWriter _jsonLines;

    public TrainingLog(string runFolder)
    {
        var folder = Path.Combine(runFolder, "logs");
        Directory.CreateDirectory(folder);
        _tensorBoard = utils.tensorboard.SummaryWriter(folder);
        _jsonLines = new StreamWriter(new FileStream(Path.Combine(folder, "scalars.jsonl"), FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public void Scalars(int step, IReadOnlyDictionary<string, double> values)
    {
        foreach (var (name, value) in values) _tensorBoard.add_scalar(name, (float)value, step);
        _jsonLines.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["step"] = step, ["values"] = values }));
    }

    /// <summary>Logs [3, H, W] images in [0, 1].</summary>
    public void Image(int step, string name, Tensor image) => _tensorBoard.add_img(name, image, step);

    public void Dispose()
    {
        _jsonLines.Dispose();
    }
}

using DiffusionTune.Contracts;
using DiffusionTune.IO;
using DiffusionTune.Training.Logging;

namespace DiffusionTune.Training.Engine;

/// <summary>
/// The <see cref="ITrainingLog"/> trainers get: messages go to the user (console) and to the run's <c>log.txt</c>,
/// scalars to the run's TensorBoard and JSON-lines logs.
/// </summary>
public sealed class RunLog(TrainingLog scalars, string textFile, Action<string> info, Action<string> warning) : ITrainingLog
{
    public void Info(string message)
    {
        info(message);
        Append("info", message);
    }

    public void Warning(string message)
    {
        warning(message);
        Append("warning", message);
    }

    /// <summary>Writes <paramref name="details"/> (such as a stack trace) to the run's <c>log.txt</c> only, not to the user.</summary>
    public void Record(string details) => Append("error", details);

    public void Scalar(string name, double value, int step) =>
        scalars.Scalars(step, new Dictionary<string, double> { [name] = value });

    void Append(string level, string message) =>
        FileAccessException.Guard(textFile, "write", () => File.AppendAllText(textFile, $"{DateTime.UtcNow:O} {level}: {message}{Environment.NewLine}"));
}

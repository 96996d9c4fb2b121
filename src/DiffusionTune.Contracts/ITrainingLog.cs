namespace DiffusionTune.Contracts;

/// <summary>A trainer's channel to the user and the run log.</summary>
public interface ITrainingLog
{
    /// <summary>An informational line.</summary>
    void Info(string message);

    /// <summary>A warning (something works, but not as the user may expect).</summary>
    void Warning(string message);

    /// <summary>A named value at a step, for TensorBoard and the JSON log.</summary>
    void Scalar(string name, double value, int step);
}

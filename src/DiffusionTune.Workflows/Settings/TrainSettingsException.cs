namespace DiffusionTune.Workflows.Settings;

/// <summary>A run's settings that cannot be used; the message lists every problem, each with where to fix it.</summary>
public sealed class TrainSettingsException(IReadOnlyList<string> problems) : ArgumentException(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

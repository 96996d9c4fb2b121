namespace DiffusionTune.Tests.Cli;

/// <summary>
/// What the README test does with one command: run the tool with <see cref="Arguments"/>, skip it for the reason in
/// <see cref="ExcludedBecause"/>, or fail because no rule fits it (<see cref="Problem"/>). Exactly one is set.
/// </summary>
sealed record ExamplePlan(ReadmeCommandLine Command, string[]? Arguments = null, string? ExcludedBecause = null, string? Problem = null)
{
    public string Where => Command.Line > 0 ? $"README.md:{Command.Line}" : "stand-in";
}

using Xunit.Abstractions;

namespace DiffusionTune.Tests.Cli;

/// <summary>
/// Runs every command example in README.md — read from the README at test time, so a changed README is what gets
/// tested — through the built CLI as its own process, as a user's shell runs it. The examples run in README order in
/// one scratch folder, so earlier results (the quick start's LoRA) feed later examples; <see cref="ReadmeExampleRules"/>
/// says how each one is made to run here, tiny, on the embedded model.
/// </summary>
public class ReadmeExamplesTests(ITestOutputHelper output)
{
    /// <summary>The slowest example (the quick start) takes well under a minute here; this only stops a hung one.</summary>
    static readonly TimeSpan TimeoutPerCommand = TimeSpan.FromMinutes(3);

    [Fact]
    public void Every_command_in_the_readme_runs()
    {
        var readme = ReadmeCommandLine.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md")));
        var standIns = ReadmeExampleRules.StandInCommands.ToList();
        var plans = standIns.Concat(readme).Select(ReadmeExampleRules.Plan).ToList();

        // Every rule check comes before anything runs, so that a README change that needs a new rule fails at once.
        var unmatched = plans.Where(plan => plan.Problem is not null).Select(plan => $"{plan.Where}: `{plan.Command.Text}` {plan.Problem}").ToList();
        Assert.True(unmatched.Count == 0, string.Join('\n', unmatched));
        var unused = ReadmeExampleRules.Unused([.. standIns, .. readme]).ToList();
        Assert.True(unused.Count == 0, "rules that no README command uses any more (remove them):\n" + string.Join('\n', unused));

        using var scratch = new ScratchFolder();
        foreach (var (name, text) in ReadmeExampleRules.TextFiles) File.WriteAllText(scratch.File(name), text);
        var failures = new List<string>();
        foreach (var plan in plans)
        {
            if (plan.ExcludedBecause is not null)
            {
                output.WriteLine($"{plan.Where}: skipped `{plan.Command.Text}`: {plan.ExcludedBecause}");
                continue;
            }
            var run = CliProcess.Run(plan.Arguments!, scratch.Path, TimeoutPerCommand);
            var ran = $"{plan.Where}: `{plan.Command.Text}`\n  ran as: diffusiontune {string.Join(' ', plan.Arguments!.Select(Quoted))}";
            output.WriteLine($"{ran}\n  {run.Elapsed.TotalSeconds:F1} s, exit code {run.ExitCode}");
            if (run.Failed)
            {
                var why = run.TimedOut ? $"timed out after {TimeoutPerCommand}" : run.Crashed ? "unhandled exception" : $"exit code {run.ExitCode}";
                failures.Add($"{ran}\n  failed: {why}; output ends:\n{run.Tail(25)}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} README example(s) failed:\n\n" + string.Join("\n\n", failures));
    }

    static string Quoted(string word) => word.Length == 0 || word.Any(char.IsWhiteSpace) ? $"\"{word}\"" : word;
}

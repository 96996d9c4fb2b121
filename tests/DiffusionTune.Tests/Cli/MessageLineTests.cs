namespace DiffusionTune.Tests.Cli;

/// <summary>
/// Redirected output (a log, CI, a script) has no width: an error or warning must come out whole on one line, however
/// long the path it names, so that grep and log readers see all of it.
/// </summary>
public class MessageLineTests
{
    [Fact]
    public void A_long_error_is_one_line_when_output_is_redirected()
    {
        using var scratch = new ScratchFolder();
        string missing = Path.Combine(scratch.Path, string.Join('/', Enumerable.Repeat("a-folder-name-long-enough-to-wrap", 4)), "model.safetensors");

        var run = CliProcess.Run(["generate", "--model", missing, "--prompt", "a red star"], scratch.Path, TimeSpan.FromMinutes(2));

        Assert.Equal(1, run.ExitCode);
        var errorLine = Assert.Single(run.Lines, line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains(missing, errorLine, StringComparison.Ordinal);
        Assert.True(errorLine.Length > 80, errorLine);
    }
}

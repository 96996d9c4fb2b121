using System.Diagnostics;
using System.Net;
using DiffusionTune.Tests.Cli;

namespace DiffusionTune.Tests.Web;

/// <summary>The <c>ui</c> verb as a user runs it: it refuses unsafe options in one line, and serves until stopped.</summary>
public sealed class UiCommandTests
{
    [Theory]
    [InlineData("--listen", "nonsense", "is not an IP address")]
    [InlineData("--token", "short", "at least 16 characters")]
    public void Bad_options_are_one_error_line(string option, string value, string expected)
    {
        using var scratch = new ScratchFolder();
        string[] arguments = option == "--token" ? ["ui", "--listen", "0.0.0.0", option, value, "--port", "0"] : ["ui", option, value];
        var run = CliProcess.Run(arguments, scratch.Path, TimeSpan.FromMinutes(1));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(run.Lines, line => line.StartsWith("error:", StringComparison.Ordinal) && line.Contains(expected, StringComparison.Ordinal));
        Assert.False(run.Crashed, run.Output);
    }

    [Fact]
    public async Task It_serves_on_loopback_and_stops_cleanly_on_SIGTERM()
    {
        if (OperatingSystem.IsWindows()) return; // SIGTERM is a POSIX signal; Ctrl+C on Windows goes the same way through the command's token.
        using var scratch = new ScratchFolder();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            WorkingDirectory = scratch.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "diffusiontune.dll"), "ui", "--port", "0", "--no-browser" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        try
        {
            var first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("DiffusionTune UI: http://127.0.0.1:", first);
            var address = new Uri(first!["DiffusionTune UI: ".Length..]);
            using var client = new HttpClient { BaseAddress = address };
            using var queue = await client.GetAsync("/queue");
            Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
            Assert.True(Directory.Exists(Path.Combine(scratch.Path, "outputs", "ui")));

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) await kill.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Stopping", await process.StandardOutput.ReadToEndAsync());
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }
}

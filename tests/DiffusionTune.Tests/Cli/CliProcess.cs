using System.Diagnostics;
using System.Text;

namespace DiffusionTune.Tests.Cli;

/// <summary>
/// Runs the CLI that the test build copied beside the tests (<c>diffusiontune.dll</c>, with its models, presets,
/// samples and plugins) as its own process, as a user's shell or CI runs it: output redirected, nothing on stdin.
/// Runs .NET SDK commands the same way.
/// </summary>
static class CliProcess
{
    public sealed record Result(int ExitCode, bool TimedOut, TimeSpan Elapsed, string Output)
    {
        public bool Crashed => Output.Contains("Unhandled exception", StringComparison.Ordinal);

        public bool Failed => TimedOut || ExitCode != 0 || Crashed;

        /// <summary>The output as printed before the console wrapped it at 80 columns (redirected output has no width).</summary>
        public string Unwrapped => Output.Replace("\r", "").Replace("\n", "");

        /// <summary>The output's lines as the console wrapped them.</summary>
        public string[] Lines => Output.Replace("\r", "").Split('\n');

        /// <summary>The last lines of the output.</summary>
        public string Tail(int lines) => string.Join('\n', Output.Split('\n').TakeLast(lines));
    }

    static string Assembly => Path.Combine(AppContext.BaseDirectory, "diffusiontune.dll");

    /// <summary>The dotnet host running the tests (the SDK names it for child processes), else the one on the PATH.</summary>
    static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <param name="environment">Variables to set for the child (the rest is inherited).</param>
    public static Result Run(IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null) =>
        Start([Assembly, .. arguments], workingDirectory, timeout, environment, withMSBuildVariables: true);

    /// <summary>
    /// Runs a .NET SDK command (<c>dotnet pack</c>, <c>new</c>, <c>build</c>) as a user's shell would: without the
    /// MSBuild variables the test run's own build leaves in this process's environment, and without MSBuild nodes that
    /// outlive it.
    /// </summary>
    public static Result Sdk(IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout) =>
        Start(arguments, workingDirectory, timeout, new Dictionary<string, string> { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0" },
            withMSBuildVariables: false);

    static Result Start(IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment,
        bool withMSBuildVariables)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!withMSBuildVariables)
        {
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
                start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        var output = new StringBuilder();
        void Append(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        }
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        bool exited = process.WaitForExit(timeout);
        if (!exited) process.Kill(entireProcessTree: true);
        // Waits for the redirected streams to be read to their end as well.
        process.WaitForExit();
        lock (output) return new Result(process.ExitCode, !exited, clock.Elapsed, output.ToString());
    }
}

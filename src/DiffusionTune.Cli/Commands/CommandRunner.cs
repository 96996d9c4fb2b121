using DiffusionTune.IO;
using DiffusionTune.Models.Kernels;
using DiffusionTune.Training.Plugins;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands;

/// <summary>
/// Runs a command's logic and turns the errors a user can fix (bad files, bad options) into one clear line and exit
/// code 1, instead of a stack trace. Anything else is a bug and keeps its stack trace.
/// </summary>
public static class CommandRunner
{
    public const int Success = 0;
    public const int UserError = 1;
    public const int Cancelled = 130;

    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> action, CancellationToken cancellation)
    {
        try
        {
            return await action(cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled.");
            return Cancelled;
        }
        catch (Exception e) when (e is ModelFileException or FileAccessException or WrongKernelsException or TrainerPluginException or ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            WriteError(e.Message);
            return UserError;
        }
    }

    public static int Run(Func<int> action) =>
        RunAsync(_ => Task.FromResult(action()), CancellationToken.None).GetAwaiter().GetResult();

    public static void WriteError(string message) => WriteLabelled("red", "error", message);

    public static void WriteWarning(string message) => WriteLabelled("yellow", "warning", message);

    static void WriteLabelled(string colour, string label, string message)
    {
        // Redirected output has no width, and Spectre would wrap at 80 columns: scripts and logs get each message whole on one line.
        if (Console.IsOutputRedirected) Console.Out.WriteLine($"{label}: {message}");
        else AnsiConsole.Console.MarkupLineInterpolated($"[{colour}]{label}:[/] {message}");
    }
}

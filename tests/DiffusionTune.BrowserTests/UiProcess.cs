using System.Diagnostics;
using System.Text;

namespace DiffusionTune.BrowserTests;

/// <summary>
/// <c>diffusiontune ui</c> running as its own process, as a user starts it (the CLI the build copied beside the
/// tests, with its models, presets, samples and plugins), in a fresh working folder, on a free loopback port.
/// </summary>
sealed class UiProcess : IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    readonly Process _process;
    readonly StringBuilder _output = new();

    UiProcess(Process process, string workingFolder)
    {
        _process = process;
        WorkingFolder = workingFolder;
    }

    /// <summary>The folder the UI runs in: its outputs/, datasets/ and (under outputs/ui) its jobs.</summary>
    public string WorkingFolder { get; }

    /// <summary>Where the UI keeps its jobs and managed datasets.</summary>
    public string StateFolder => Path.Combine(WorkingFolder, "outputs", "ui");

    /// <summary>The address it printed.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Everything it printed so far (for failure messages).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts the UI (in <paramref name="workingFolder"/>, a new temporary folder when null) and waits until it prints its address.</summary>
    public static async Task<UiProcess> StartAsync(string? workingFolder = null)
    {
        workingFolder ??= Directory.CreateTempSubdirectory("diffusiontune-ui-").FullName;
        var start = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "diffusiontune.dll"), "ui", "--port", "0", "--no-browser" })
            start.ArgumentList.Add(argument);
        // One torch thread: the browser and the test share the machine's cores with the server.
        start.Environment["OMP_NUM_THREADS"] = "1";
        var ui = new UiProcess(new Process { StartInfo = start }, workingFolder);
        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (ui._output) ui._output.AppendLine(e.Data);
            const string prefix = "DiffusionTune UI: ";
            if (e.Data.StartsWith(prefix, StringComparison.Ordinal)) address.TrySetResult(new Uri(e.Data[prefix.Length..].Trim()));
        }
        ui._process.OutputDataReceived += Read;
        ui._process.ErrorDataReceived += Read;
        ui._process.Start();
        ui._process.BeginOutputReadLine();
        ui._process.BeginErrorReadLine();
        var exited = ui._process.WaitForExitAsync();
        var first = await Task.WhenAny(address.Task, exited, Task.Delay(StartTimeout));
        if (first != address.Task)
        {
            await ui.DisposeAsync();
            throw new InvalidOperationException($"diffusiontune ui did not print its address ({(first == exited ? "it exited" : "timed out")}):\n{ui.Output}");
        }
        ui.Address = await address.Task;
        return ui;
    }

    /// <summary>The absolute address of <paramref name="path"/> on this server.</summary>
    public string Url(string path) => new Uri(Address, path).ToString();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    /// <summary>The dotnet host running the tests (the SDK names it for child processes), else the one on the PATH.</summary>
    static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}

using System.Net;
using Microsoft.AspNetCore.Hosting;
using DiffusionTune.Web;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Safety;

namespace DiffusionTune.Cli.Commands.Ui;

/// <summary>
/// Runs the UI server until Ctrl+C: prints its address (with the access token, once, when it listens beyond
/// loopback), opens a browser where a desktop exists, and on Ctrl+C stops the running job (it saves; it is resumable)
/// and the server.
/// </summary>
public static class UiCommand
{
    /// <summary>How long a stopping server waits for a running job to save.</summary>
    static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(2);

    public static async Task<int> RunAsync(UiRequest request, CancellationToken cancellation)
    {
        var address = ParseAddress(request.Listen);
        var loopback = IPAddress.IsLoopback(address);
        var token = request.Token ?? (loopback ? null : AccessToken.Generate());
        var options = new UiOptions
        {
            ListenAddress = address,
            Port = request.Port ?? UiPorts.FirstFree(address),
            AccessToken = token,
            Roots = request.Roots.Count > 0 ? [.. request.Roots] : DefaultRoots(),
            StateFolder = request.StateFolder,
        };
        await using var app = UiServer.Build(options, configureHost: host => host.UseShutdownTimeout(StopTimeout));
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (IOException e)
        {
            throw new ArgumentException($"cannot listen on {address} port {options.Port}: {e.Message} (try --port 0 for any free port)", e);
        }
        var local = UiServer.Address(app);
        var withToken = token is null ? "" : $"/?{AccessToken.QueryName}={Uri.EscapeDataString(token)}";
        var opened = new Uri(local, withToken);
        // Beyond loopback the address is for other machines: name this one (a wildcard address names none).
        var shown = loopback ? opened : new Uri(new UriBuilder(local) { Host = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? Dns.GetHostName() : address.ToString() }.Uri, withToken);
        Console.Out.WriteLine($"DiffusionTune UI: {shown}");
        if (token is not null && request.Token is null)
            Console.Out.WriteLine("The access token above was generated for this run; anyone with the address can use the UI.");
        Console.Out.WriteLine($"Jobs and datasets in {Path.GetFullPath(options.StateFolder)}; reading {string.Join(", ", options.Roots.Select(Path.GetFullPath))}. Ctrl+C stops.");
        if (request.OpenBrowser) DesktopBrowser.TryOpen(opened);
        // Ctrl+C and SIGTERM reach the command's token; the host may also be stopped on its own (its console lifetime).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, app.Lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Out.WriteLine("Stopping (a running job saves and can be resumed) …");
        }
        await app.StopAsync(CancellationToken.None);
        return CommandRunner.Success;
    }

    static IPAddress ParseAddress(string listen) =>
        listen.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(listen, out var address) ? address
        : throw new ArgumentException($"--listen: '{listen}' is not an IP address (127.0.0.1, 0.0.0.0, ::, or one of this machine's)");

    /// <summary>outputs/ and datasets/ in the working folder, and the models/ and samples/ shipped next to the executable.</summary>
    static string[] DefaultRoots() =>
    [
        Path.Combine(Environment.CurrentDirectory, "outputs"),
        Path.Combine(Environment.CurrentDirectory, "datasets"),
        Path.Combine(AppContext.BaseDirectory, "models"),
        Path.Combine(AppContext.BaseDirectory, "samples"),
    ];
}

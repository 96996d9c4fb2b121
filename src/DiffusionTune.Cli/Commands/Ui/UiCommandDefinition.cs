using System.CommandLine;

namespace DiffusionTune.Cli.Commands.Ui;

/// <summary>The <c>ui</c> verb: the web UI's server, on loopback unless asked otherwise.</summary>
public static class UiCommandDefinition
{
    public static Command Create()
    {
        var port = new Option<int?>("--port") { Description = $"The port (default: the first free of {DiffusionTune.Web.UiPorts.Preferred}..{DiffusionTune.Web.UiPorts.Preferred + 9}; 0 = any free port)" };
        var listen = new Option<string>("--listen")
        {
            Description = "The address to listen on (default 127.0.0.1, this machine only). Any other address needs an access token: --token, or one generated and printed",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var token = new Option<string?>("--token") { Description = "The access token for a non-loopback --listen address (at least 16 characters)" };
        var roots = new Option<string[]>("--root")
        {
            Description = "A folder the UI may read and list (repeatable; default: outputs/ and datasets/ here, and the models/ and samples/ shipped with diffusiontune)",
            AllowMultipleArgumentsPerToken = false,
        };
        var state = new Option<string>("--state")
        {
            Description = "Where the UI keeps its jobs and datasets",
            DefaultValueFactory = _ => Path.Combine("outputs", "ui"),
        };
        var noBrowser = new Option<bool>("--no-browser") { Description = "Do not open a browser (one is opened only where a desktop exists anyway)" };
        var command = new Command("ui", "Start the web UI: train, browse datasets and the library, watch the job queue, in the browser")
        {
            port, listen, token, roots, state, noBrowser,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(stop => UiCommand.RunAsync(new UiRequest
        {
            Port = result.GetValue(port),
            Listen = result.GetValue(listen)!,
            Token = result.GetValue(token),
            Roots = result.GetValue(roots) ?? [],
            StateFolder = result.GetValue(state)!,
            OpenBrowser = !result.GetValue(noBrowser),
        }, stop), cancellation));
        return command;
    }
}

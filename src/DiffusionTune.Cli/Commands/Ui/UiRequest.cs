namespace DiffusionTune.Cli.Commands.Ui;

/// <summary>The <c>ui</c> verb's options as parsed.</summary>
public sealed record UiRequest
{
    /// <summary>The port; null picks a familiar free one, 0 any free one.</summary>
    public int? Port { get; init; }

    public required string Listen { get; init; }

    public string? Token { get; init; }

    /// <summary>The folders given with --root; empty means the defaults.</summary>
    public required IReadOnlyList<string> Roots { get; init; }

    public required string StateFolder { get; init; }

    public bool OpenBrowser { get; init; } = true;
}

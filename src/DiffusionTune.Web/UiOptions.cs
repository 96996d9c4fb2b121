using System.Net;

namespace DiffusionTune.Web;

/// <summary>How the UI server is started: where it listens, who may use it, which folders it may read, where it keeps its state.</summary>
public sealed record UiOptions
{
    /// <summary>The address to listen on; loopback unless the user asks otherwise.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The port; 0 lets the system pick a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// The access token every request must carry (cookie, header, or once in the URL); null only on loopback.
    /// A non-loopback <see cref="ListenAddress"/> without one is refused by <see cref="Validate"/>.
    /// </summary>
    public string? AccessToken { get; init; }

    /// <summary>The folders files may be read and listed from (models, LoRAs, image folders).</summary>
    public required IReadOnlyList<string> Roots { get; init; }

    /// <summary>Where jobs (jobs/ID/) and managed datasets (datasets/NAME/) are kept.</summary>
    public required string StateFolder { get; init; }

    /// <summary>The most bytes one uploaded image may have.</summary>
    public long MaxUploadBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>The most images one upload request may carry.</summary>
    public int MaxUploadFiles { get; init; } = 200;

    /// <summary>The most pixels (width × height) an uploaded image may decode to, so a small file cannot claim gigabytes.</summary>
    public long MaxUploadPixels { get; init; } = 64L * 1024 * 1024;

    /// <summary>Whether the server listens on loopback only.</summary>
    public bool IsLoopbackOnly => IPAddress.IsLoopback(ListenAddress);

    /// <summary>Refuses settings that would expose the server: a non-loopback address without an access token.</summary>
    /// <exception cref="ArgumentException">The settings are unsafe or incomplete.</exception>
    public void Validate()
    {
        if (!IsLoopbackOnly && string.IsNullOrEmpty(AccessToken))
            throw new ArgumentException($"listening on {ListenAddress} (not loopback) needs an access token");
        if (AccessToken is { Length: < 16 })
            throw new ArgumentException("the access token must be at least 16 characters long");
        if (Port is < 0 or > 65535)
            throw new ArgumentException($"the port must be between 0 and 65535 (got {Port})");
        if (Roots.Count == 0)
            throw new ArgumentException("at least one root folder is needed");
    }
}

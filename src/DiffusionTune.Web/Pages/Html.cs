using System.Text.Encodings.Web;

namespace DiffusionTune.Web.Pages;

/// <summary>Escaping for the server-rendered pages: every value that did not come from this code goes through here.</summary>
public static class Html
{
    /// <summary><paramref name="text"/> safe inside HTML text and quoted attributes.</summary>
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary><paramref name="value"/> safe as one URL query value or path segment.</summary>
    public static string U(string? value) => Uri.EscapeDataString(value ?? "");

    /// <summary>A byte count as people read it.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.0} KiB",
        _ => $"{bytes} B",
    };
}

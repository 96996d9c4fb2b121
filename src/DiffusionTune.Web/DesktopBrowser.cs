using System.Diagnostics;

namespace DiffusionTune.Web;

/// <summary>Opens the UI in the user's browser where a desktop exists; on a headless machine it does nothing.</summary>
public static class DesktopBrowser
{
    /// <summary>Whether this machine shows windows: Windows, macOS, or a Linux/BSD session with DISPLAY or WAYLAND_DISPLAY.</summary>
    public static bool HasDesktop =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));

    /// <summary>Tries to open <paramref name="address"/>; returns whether a browser was asked to. Never throws.</summary>
    public static bool TryOpen(Uri address)
    {
        if (!HasDesktop) return false;
        try
        {
            var start = OperatingSystem.IsWindows()
                ? new ProcessStartInfo(address.AbsoluteUri) { UseShellExecute = true }
                : new ProcessStartInfo(OperatingSystem.IsMacOS() ? "open" : "xdg-open", address.AbsoluteUri)
                {
                    RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                };
            using var process = Process.Start(start);
            return process is not null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            return false;
        }
    }
}

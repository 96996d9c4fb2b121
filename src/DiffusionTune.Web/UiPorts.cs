using System.Net;
using System.Net.Sockets;

namespace DiffusionTune.Web;

/// <summary>Choosing the port: a familiar one when it is free, any free one otherwise.</summary>
public static class UiPorts
{
    /// <summary>The first port tried (Gradio-based UIs take 7860 and 7861).</summary>
    public const int Preferred = 7862;

    /// <summary>The first free port of <see cref="Preferred"/> and the 9 after it on <paramref name="address"/>, or 0 (any) when all are taken.</summary>
    public static int FirstFree(IPAddress address)
    {
        for (int port = Preferred; port < Preferred + 10; port++)
        {
            try
            {
                using var probe = new TcpListener(address, port);
                probe.Start();
                probe.Stop();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try the next.
            }
        }
        return 0;
    }
}

using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace DiffusionTune.Web.Safety;

/// <summary>
/// Refuses requests another site could make a browser send. Every request: on a loopback-only server the Host must be
/// a loopback name (so a DNS-rebound page cannot talk to it). State-changing requests (anything but GET/HEAD) must in
/// addition come from this origin (Sec-Fetch-Site same-origin or none, and Origin, when sent, equal to the server's)
/// and carry the per-server <see cref="HeaderName"/> token that the pages hand to htmx; a plain cross-site form or
/// fetch cannot set that header without a CORS preflight, which this server never grants.
/// </summary>
public sealed class CrossSiteGuard(bool loopbackOnly)
{
    public const string HeaderName = "X-DiffusionTune-Csrf";

    /// <summary>The token the pages send back with state-changing requests; new each time the server starts.</summary>
    public string RequestToken { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Why <paramref name="request"/> is refused, or null when it may go on.</summary>
    public string? Refusal(HttpRequest request)
    {
        if (loopbackOnly && !IsLoopbackHost(request.Host.Host))
            return $"this server answers on localhost only, not as '{request.Host.Host}'";
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) return null;
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && fetchSite is not ("same-origin" or "none"))
            return $"cross-site request refused (Sec-Fetch-Site: {fetchSite})";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !SameOrigin(origin, request))
            return $"cross-site request refused (Origin: {origin})";
        if (request.Headers[HeaderName].ToString() != RequestToken)
            return $"request refused: it lacks this page's {HeaderName} header (reload the page)";
        return null;
    }

    /// <summary>The middleware: a refused request is answered 403 with the reason.</summary>
    public RequestDelegate Guard(RequestDelegate next) => async context =>
    {
        if (Refusal(context.Request) is { } reason)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync(reason);
            return;
        }
        await next(context);
    };

    static bool SameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    static bool IsLoopbackHost(string host) =>
        host is "localhost" or "127.0.0.1" or "[::1]" or "::1" || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
}

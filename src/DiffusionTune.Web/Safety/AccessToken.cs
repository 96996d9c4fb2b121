using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DiffusionTune.Web.Safety;

/// <summary>
/// When the server listens beyond loopback, every request must carry the access token: in the
/// <see cref="HeaderName"/> header, or in the <see cref="CookieName"/> cookie that opening the printed
/// <c>?token=…</c> address once sets (the address is then redirected to one without the token, so it does not stay in
/// the history). Everything else is answered 401.
/// </summary>
public static class AccessToken
{
    public const string HeaderName = "X-DiffusionTune-Token";
    public const string CookieName = "diffusiontune_token";
    public const string QueryName = "token";

    /// <summary>A new random token (32 URL-safe characters).</summary>
    public static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    /// <summary>The middleware that checks <paramref name="token"/> on each request.</summary>
    public static RequestDelegate Require(RequestDelegate next, string token) => async context =>
    {
        var request = context.Request;
        if (Matches(request.Headers[HeaderName], token) || Matches(request.Cookies[CookieName], token))
        {
            await next(context);
            return;
        }
        if (Matches(request.Query[QueryName], token))
        {
            context.Response.Cookies.Append(CookieName, token, new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = request.IsHttps, Path = "/",
            });
            context.Response.Redirect(request.PathBase + request.Path);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        await context.Response.WriteAsync("This DiffusionTune server needs its access token: open the address with ?token=… that it printed when it started.");
    };

    static bool Matches(string? offered, string token) =>
        !string.IsNullOrEmpty(offered)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(offered), Encoding.UTF8.GetBytes(token));
}

using DiffusionTune.Web.Pages;
using DiffusionTune.Web.Safety;
using Microsoft.AspNetCore.Http;

namespace DiffusionTune.Web.Endpoints;

/// <summary>HTML answers: whole pages in the layout, and fragments for htmx.</summary>
public static class PageResults
{
    public static IResult Page(CrossSiteGuard guard, string title, string active, string body) =>
        Results.Content(Layout.Page(title, active, body, guard.RequestToken), "text/html; charset=utf-8");

    public static IResult Fragment(string html) => Results.Content(html, "text/html; charset=utf-8");
}

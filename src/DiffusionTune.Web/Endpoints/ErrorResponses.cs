using DiffusionTune.IO;
using DiffusionTune.Web.Datasets;
using DiffusionTune.Web.Safety;
using Microsoft.AspNetCore.Http;

namespace DiffusionTune.Web.Endpoints;

/// <summary>
/// Turns the errors a request can cause into one plain line with the right status (the page shows it; no stack trace
/// ever leaves the server): a path outside the roots 403, something missing 404, bad input 400, too large 413.
/// </summary>
public static class ErrorResponses
{
    public static RequestDelegate Handle(RequestDelegate next) => async context =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (StatusOf(e) is { } status && !context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(e.Message);
        }
    };

    static int? StatusOf(Exception e) => e switch
    {
        PathOutsideRootException => StatusCodes.Status403Forbidden,
        KeyNotFoundException or FileNotFoundException or DirectoryNotFoundException => StatusCodes.Status404NotFound,
        BadHttpRequestException bad => bad.StatusCode,
        UploadRejectedException or ArgumentException or InvalidOperationException or InvalidDataException or ModelFileException => StatusCodes.Status400BadRequest,
        _ => null,
    };
}

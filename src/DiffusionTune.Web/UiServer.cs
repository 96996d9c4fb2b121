using DiffusionTune.Web.Datasets;
using DiffusionTune.Web.Endpoints;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Library;
using DiffusionTune.Web.Safety;
using DiffusionTune.Web.Training;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiffusionTune.Web;

/// <summary>
/// Builds the UI server: the services (queue, datasets, library, path safety), the safety middleware (access token,
/// cross-site guard, error lines) and the endpoints. Hosts add their job kinds through <c>configureServices</c>; tests
/// swap Kestrel for a test server through <c>configureHost</c>.
/// </summary>
public static class UiServer
{
    /// <summary>The server for <paramref name="options"/>, built but not started.</summary>
    /// <exception cref="ArgumentException">The options are unsafe (<see cref="UiOptions.Validate"/>).</exception>
    public static WebApplication Build(UiOptions options, Action<IServiceCollection>? configureServices = null, Action<IWebHostBuilder>? configureHost = null)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Each request may carry at most MaxUploadFiles images of MaxUploadBytes (plus the form's own bytes).
        var maxBody = Math.Min(options.MaxUploadBytes * options.MaxUploadFiles + (1 << 20), int.MaxValue);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.ListenAddress, options.Port);
            kestrel.Limits.MaxRequestBodySize = maxBody;
            kestrel.AddServerHeader = false;
        });
        builder.Services.Configure<FormOptions>(form =>
        {
            // Per part: a backstop well above the per-image limit (which ImageUpload checks and names the file in),
            // so one enormous part is cut off while it arrives rather than buffered to disk first.
            form.MultipartBodyLengthLimit = options.MaxUploadBytes * 2 + (64 << 10);
            // Files and fields together.
            form.ValueCountLimit = options.MaxUploadFiles + 64;
        });
        configureHost?.Invoke(builder.WebHost);

        var state = Path.GetFullPath(options.StateFolder);
        Directory.CreateDirectory(state);
        var guard = new CrossSiteGuard(options.IsLoopbackOnly);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(guard);
        builder.Services.AddSingleton(new RootedPaths(options.Roots));
        builder.Services.AddSingleton(new JobStore(state));
        builder.Services.AddSingleton(new DatasetStore(state));
        builder.Services.AddSingleton(new ImageUpload(options.MaxUploadBytes, options.MaxUploadFiles, options.MaxUploadPixels));
        builder.Services.AddSingleton<LibraryScanner>();
        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddHostedService(services => services.GetRequiredService<JobQueue>());
        builder.Services.AddSingleton<TrainRequestBuilder>();
        builder.Services.AddSingleton<TrainerCatalog>();
        builder.Services.AddSingleton<TrainJobKind>();
        builder.Services.AddSingleton<TrainEditor>();
        // The built-in job kinds (the Train page checks settings with the train kind itself); hosts add others through configureServices.
        builder.Services.AddSingleton<IJobKind>(services => services.GetRequiredService<TrainJobKind>());
        builder.Services.AddJobKind<GenerateJobKind>().AddJobKind<CompareJobKind>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Use(next => async context =>
        {
            // Nothing here is meant to be framed or sniffed; scripts come only from this server.
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'";
            await next(context);
        });
        if (options.AccessToken is { } token) app.Use(next => AccessToken.Require(next, token));
        app.Use(next => guard.Guard(next));
        app.Use(next => ErrorResponses.Handle(next));
        app.MapGet("/", () => Microsoft.AspNetCore.Http.Results.Redirect("/queue"));
        StaticAssets.Map(app);
        JobEndpoints.Map(app);
        BrowseEndpoints.Map(app);
        DatasetEndpoints.Map(app);
        LibraryEndpoints.Map(app);
        GenerateEndpoints.Map(app);
        CompareEndpoints.Map(app);
        TrainEndpoints.Map(app);
        return app;
    }

    /// <summary>The address the started <paramref name="app"/> listens on (with the port the system picked for port 0).</summary>
    public static Uri Address(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the server has not started");
        return new Uri(address.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost"));
    }
}

using System.Text.Json;
using DiffusionTune.Web.Datasets;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Pages;
using DiffusionTune.Web.Safety;
using DiffusionTune.Web.Training;
using DiffusionTune.Workflows.Damage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DiffusionTune.Web.Endpoints;

/// <summary>The Train page, its settings editor (form ⇄ YAML, checked), Start, the presets, and a train job's result.</summary>
public static class TrainEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/train", (HttpRequest request, TrainEditor editor, TrainerCatalog catalog, JobQueue queue, DatasetStore datasets, RootedPaths roots, CrossSiteGuard guard) =>
        {
            // A link from the folder browser (?root=&path=) or elsewhere (?preset=, ?dataset=) starts the form filled in.
            var fields = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [TrainEditor.PresetField] = request.Query["preset"].FirstOrDefault() ?? "",
                [TrainEditor.DatasetField] = request.Query["dataset"].FirstOrDefault() ?? "",
                [TrainEditor.ImagesRootField] = request.Query["root"].FirstOrDefault() ?? "",
                [TrainEditor.ImagesPathField] = request.Query["path"].FirstOrDefault() ?? "",
            };
            var state = editor.FromForm(fields);
            return PageResults.Page(guard, "Train", "/train",
                TrainPage.Body(state, catalog.Presets(), PresetTiming.Of(queue), datasets.Names, roots.Roots));
        });
        app.MapPost("/train/settings", async (HttpRequest request, TrainEditor editor) =>
        {
            var form = await Fields(request);
            switch (request.Query["from"].FirstOrDefault())
            {
                case "yaml":
                    return PageResults.Fragment(TrainSettingsView.Editor(editor.FromYaml(form)));
                case "preset":
                    return PageResults.Fragment(TrainSettingsView.Editor(editor.FromForm(form)));
                default:
                    var state = editor.FromForm(form);
                    bool trainerChanged = state.Trainer?.Name != (form.GetValueOrDefault(SettingFieldView.ShownTrainerField) is { Length: > 0 } shown ? shown : null);
                    return PageResults.Fragment(TrainSettingsView.AfterFieldChange(state, trainerChanged));
            }
        });
        app.MapPost("/train/start", async (HttpRequest request, HttpResponse response, JobQueue queue) =>
        {
            var form = await Fields(request);
            var settings = TrainEditor.SettingsOf(form, form.GetValueOrDefault(TrainEditor.YamlField) ?? "");
            var job = queue.Enqueue(TrainJobKind.Name, JsonSerializer.SerializeToElement(settings, JobJson.Options));
            var page = $"/jobs/{Uri.EscapeDataString(job.Id)}";
            if (request.Headers.ContainsKey("HX-Request"))
            {
                response.Headers["HX-Redirect"] = page;
                return Results.Json(job, JobJson.Options, statusCode: StatusCodes.Status201Created);
            }
            return Results.Redirect(page);
        });
        app.MapGet("/api/presets", (TrainerCatalog catalog, JobQueue queue) =>
        {
            var timings = PresetTiming.Of(queue);
            return Results.Json(catalog.Presets().Select(p => new
            {
                p.Name, p.Description, p.Trainer, p.MadeFor,
                LastRun = timings.GetValueOrDefault(p.Name) is { } t ? new { DurationSeconds = t.Duration.TotalSeconds, t.Steps, t.PeakMemory, t.Device } : null,
            }), JobJson.Options);
        });
        app.MapGet("/api/trainers", (TrainerCatalog catalog) => Results.Json(catalog.Trainers.Select(t => new
        {
            t.Name, t.Description,
            Options = t.Options.Select(o => new { o.Name, Kind = o.Kind.ToString().ToLowerInvariant(), o.Default, o.Help, o.Minimum, o.Maximum, o.Choices }),
        }), JobJson.Options));
        app.MapGet("/jobs/{id}/train-result", (string id, JobQueue queue) =>
        {
            var job = TrainJob(queue, id);
            return TrainResultFile.Read(queue.FolderOf(job.Id)) is { } result
                ? PageResults.Fragment(TrainResultView.Body(job.Id, result, Damage(result)))
                : Results.NotFound($"job {id} has no result yet");
        });
        app.MapGet("/jobs/{id}/train/grid", (string id, JobQueue queue) =>
        {
            var job = TrainJob(queue, id);
            var folder = queue.FolderOf(job.Id);
            var grid = TrainResultFile.Read(folder)?.BeforeAfterGrid ?? throw new KeyNotFoundException($"job {id} has no before/after grid");
            // The job wrote the path; it is served only from the job's own folder, and only as an image.
            if (!RootedPaths.Contains(new RootedPaths([folder]).Roots[0], Path.GetFullPath(grid)) || !FolderImages.IsImage(grid))
                throw new PathOutsideRootException($"the grid of job {id} is not in its folder");
            return Results.File(grid, JobEndpoints.ImageContentType(grid));
        });
    }

    /// <summary>The result of the train job <paramref name="id"/> for its page, or null when it has none (yet).</summary>
    public static string? ResultHtml(JobQueue queue, JobRecord job) =>
        job.Kind == TrainJobKind.Name && TrainResultFile.Read(queue.FolderOf(job.Id)) is { } result ? TrainResultView.Body(job.Id, result, Damage(result)) : null;

    static DamageReport? Damage(TrainResultFile result) =>
        result.DamageReport is { } path && File.Exists(path) ? DamageReport.Read(path) : null;

    static JobRecord TrainJob(JobQueue queue, string id) =>
        (JobStore.IsValidId(id) ? queue.Find(id) : null) is { Kind: TrainJobKind.Name } job ? job : throw new KeyNotFoundException($"there is no train job '{id}'");

    static async Task<Dictionary<string, string>> Fields(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        return form.ToDictionary(f => f.Key, f => f.Value.FirstOrDefault() ?? "", StringComparer.Ordinal);
    }
}

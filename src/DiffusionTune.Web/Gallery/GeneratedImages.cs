using DiffusionTune.IO.Images;
using DiffusionTune.Web.JobKinds;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.Safety;

namespace DiffusionTune.Web.Gallery;

/// <summary>
/// The gallery: every image the generate jobs reported, newest first, with the metadata its PNG carries (read with
/// <see cref="PngTextReader"/>, only from inside the job's own folder).
/// </summary>
public static class GeneratedImages
{
    public static IReadOnlyList<GalleryImage> List(JobQueue queue) =>
        [.. queue.Jobs.Where(job => job.Kind == GenerateJobKind.Name).SelectMany(job => Images(queue, job.Id)).OrderByDescending(image => image.Time).ThenByDescending(image => image.EventId)];

    /// <summary>The image of job <paramref name="jobId"/>'s event <paramref name="eventId"/>.</summary>
    /// <exception cref="KeyNotFoundException">No generate job has such an image.</exception>
    public static GalleryImage Find(JobQueue queue, string jobId, long eventId) =>
        (JobStore.IsValidId(jobId) && queue.Find(jobId) is { Kind: GenerateJobKind.Name } ? Images(queue, jobId).FirstOrDefault(i => i.EventId == eventId) : null)
        ?? throw new KeyNotFoundException($"job {jobId} has no generated image {eventId}");

    static IEnumerable<GalleryImage> Images(JobQueue queue, string jobId)
    {
        var folder = new RootedPaths([queue.FolderOf(jobId)]).Roots[0];
        foreach (var e in queue.Events(jobId).Read(0).Events)
        {
            if (e.Type != JobEventTypes.Image || e.Path is not { } path || !RootedPaths.Contains(folder, path) || !File.Exists(path)) continue;
            var text = ParametersText(path);
            yield return new GalleryImage(jobId, e.Id, e.Time, text, text is not null && GenerationParameters.TryParse(text, out var parameters) ? parameters : null);
        }
    }

    static string? ParametersText(string path)
    {
        try
        {
            return PngTextReader.Find(path, "parameters");
        }
        catch (Exception e) when (e is ImageFileException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

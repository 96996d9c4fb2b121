using DiffusionTune.Web.Jobs;
using DiffusionTune.Web.JobKinds;

namespace DiffusionTune.Web.Training;

/// <summary>
/// How a preset ran on this machine: the latest train job of it that finished in one go (a resumed one's time is not
/// one run's), with its duration, steps and the server's peak memory while it ran. Measured, never estimated.
/// </summary>
public sealed record PresetTiming(TimeSpan Duration, int? Steps, long? PeakMemory, string Device)
{
    public string Describe() =>
        $"last run {Duration:h\\:mm\\:ss}{(Steps is { } steps ? $" for {steps} steps" : "")} on {Device}{(PeakMemory is { } bytes ? $", peak memory {Pages.Html.Bytes(bytes)}" : "")}";

    /// <summary>The timing of each preset that has a finished run in <paramref name="queue"/>.</summary>
    public static IReadOnlyDictionary<string, PresetTiming> Of(JobQueue queue)
    {
        var timings = new Dictionary<string, PresetTiming>(StringComparer.OrdinalIgnoreCase);
        foreach (var job in queue.Jobs.Where(j => j is { Kind: TrainJobKind.Name, State: JobState.Finished, Resumes: 0, Started: not null, Ended: not null }))
        {
            TrainJobSettings settings;
            try
            {
                settings = JobContext.Read<TrainJobSettings>(job.Settings);
            }
            catch (ArgumentException)
            {
                continue;
            }
            // Jobs come newest first: the first one of a preset is its latest.
            if (settings.Preset is not { } preset || timings.ContainsKey(preset)) continue;
            var events = queue.Events(job.Id).Read(0).Events;
            var training = events.FirstOrDefault(e => e.Type == JobEventTypes.Start);
            var peak = events.Where(e => e.Memory is not null).Select(e => e.Memory!.Value).DefaultIfEmpty().Max();
            timings[preset] = new PresetTiming(job.Ended!.Value - job.Started!.Value, training?.Total, peak > 0 ? peak : null, job.Device);
        }
        return timings;
    }
}

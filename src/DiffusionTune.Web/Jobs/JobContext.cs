using System.Text.Json;

namespace DiffusionTune.Web.Jobs;

/// <summary>What a running job knows about itself.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Folder">The job's own folder (job.json, log.txt, events.jsonl live there); the kind may write its outputs here.</param>
/// <param name="Device">The device it was queued for.</param>
/// <param name="Settings">Its settings, as queued.</param>
/// <param name="IsResume">Whether it ran before (resumed after a cancel, failure or interruption) and should carry on from what it saved.</param>
public sealed record JobContext(string Id, string Folder, string Device, JsonElement Settings, bool IsResume)
{
    /// <summary>The settings read as <typeparamref name="T"/> (snake_case names).</summary>
    /// <exception cref="ArgumentException">They do not fit <typeparamref name="T"/>.</exception>
    public T SettingsAs<T>() => Read<T>(Settings);

    /// <summary><paramref name="settings"/> read as <typeparamref name="T"/> (snake_case names): what a kind's Validate checks.</summary>
    /// <exception cref="ArgumentException">They do not fit <typeparamref name="T"/>.</exception>
    public static T Read<T>(JsonElement settings)
    {
        try
        {
            return settings.Deserialize<T>(JobJson.Options) ?? throw new ArgumentException("the job has no settings");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the job's settings are not valid: {e.Message}", e);
        }
    }
}

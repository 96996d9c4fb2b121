using System.Security.Cryptography;
using System.Text.Json;
using DiffusionTune.IO;

namespace DiffusionTune.Web.Jobs;

/// <summary>Jobs on disk: <c>STATE/jobs/ID/job.json</c>, written atomically.</summary>
public sealed class JobStore(string stateFolder)
{
    public const string RecordFileName = "job.json";

    static readonly JsonSerializerOptions Indented = new(JobJson.Options) { WriteIndented = true };

    /// <summary>The folder holding every job's folder.</summary>
    public string Folder { get; } = Path.Combine(Path.GetFullPath(stateFolder), "jobs");

    /// <summary>The folder of job <paramref name="id"/>.</summary>
    public string FolderOf(string id) => Path.Combine(Folder, id);

    /// <summary>A new, unused job id: the creation time (so ids sort by age) and a random part.</summary>
    public static string NewId(DateTimeOffset now) => $"{now:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>Whether <paramref name="id"/> has the shape <see cref="NewId"/> gives (so it can never name another folder).</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 40 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>Writes <paramref name="job"/>'s job.json, creating its folder.</summary>
    public void Save(JobRecord job)
    {
        Directory.CreateDirectory(FolderOf(job.Id));
        AtomicFile.WriteAllText(Path.Combine(FolderOf(job.Id), RecordFileName), JsonSerializer.Serialize(job, Indented));
    }

    /// <summary>Every job with a readable job.json, oldest first; folders without one (or with a damaged one) are skipped and named in <paramref name="skipped"/>.</summary>
    public IReadOnlyList<JobRecord> LoadAll(ICollection<string> skipped)
    {
        if (!Directory.Exists(Folder)) return [];
        var jobs = new List<JobRecord>();
        foreach (var folder in Directory.EnumerateDirectories(Folder).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(folder, RecordFileName);
            try
            {
                if (JsonSerializer.Deserialize<JobRecord>(File.ReadAllText(file), JobJson.Options) is { } job && job.Id == Path.GetFileName(folder))
                    jobs.Add(job);
                else
                    skipped.Add($"{file}: not a job record for this folder");
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                skipped.Add($"{file}: {e.Message}");
            }
        }
        return jobs;
    }
}

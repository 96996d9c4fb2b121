using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Web.Training;

/// <summary>
/// What a finished <c>train</c> job produced, kept as <c>train-result.json</c> in the job's folder so its page shows
/// the grid and the damage report after a restart too.
/// </summary>
/// <param name="Result">The trained adapter or model, or null.</param>
/// <param name="BeforeAfterGrid">The before/after grid, or null.</param>
/// <param name="DamageReport">The damage report's JSON file, or null.</param>
/// <param name="NextSteps">What was written and how to try it (the lines the CLI prints).</param>
public sealed record TrainResultFile(string? Result, string? BeforeAfterGrid, string? DamageReport, IReadOnlyList<string> NextSteps)
{
    public const string FileName = "train-result.json";

    public void Write(string jobFolder) => JsonReport.Write(this, Path.Combine(jobFolder, FileName));

    /// <summary>The result of the job in <paramref name="jobFolder"/>, or null while there is none.</summary>
    public static TrainResultFile? Read(string jobFolder)
    {
        var path = Path.Combine(jobFolder, FileName);
        return File.Exists(path) ? JsonReport.Read<TrainResultFile>(path, "train result") : null;
    }
}

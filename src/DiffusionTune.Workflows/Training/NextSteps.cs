using System.Text.RegularExpressions;
using DiffusionTune.Contracts;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Logging;

namespace DiffusionTune.Workflows.Training;

/// <summary>
/// What a finished run wrote (result, checkpoints, sample strips, before/after grid) and the exact <c>generate</c> and
/// <c>compare</c> command lines to try its result, quoted for a POSIX shell so that they work when pasted (written
/// plainly, never wrapped at the terminal's width: hosts show the lines as they are).
/// </summary>
public static partial class NextSteps
{
    /// <param name="baseModelGiven">Whether the user named the base model (else the commands leave --model out: the embedded model).</param>
    /// <param name="pluginFolders">The run's extra plugin folders, which a plugin-format adapter's commands name again.</param>
    public static IReadOnlyList<string> Lines(TrainJob job, SavedFile? trained, IReadOnlyList<string> prompts, string? beforeAfterGrid, bool baseModelGiven, IReadOnlyList<string> pluginFolders)
    {
        var samples = TrainerRun.SampleFolderOf(job.RunFolder);
        int strips = Directory.Exists(samples) ? Directory.GetFiles(samples, "*.png").Length : 0;
        var lines = new List<string> { "Written:" };
        if (trained is not null) lines.Add($"  result:            {Shown(trained.Path)}");
        lines.Add($"  checkpoints:       {Shown(Path.Combine(job.RunFolder, "checkpoints"))} (run the same command with more --steps to go on training)");
        if (strips > 0) lines.Add($"  sample strips:     {Shown(samples)} ({strips}: the sample prompts at a fixed seed, one strip per sample point)");
        if (beforeAfterGrid is not null) lines.Add($"  before/after grid: {Shown(beforeAfterGrid)} (left: the base model, right: after training; same seeds)");
        lines.Add($"  log:               {Shown(Path.Combine(job.RunFolder, "log.txt"))} (scalars: {Shown(TrainingLog.FolderOf(job.RunFolder))})");
        if (trained is null || prompts.Count == 0) return lines;
        var commands = Commands(job, trained, prompts, baseModelGiven, pluginFolders);
        if (commands.Count == 0) return lines;
        lines.Add("Try it:");
        lines.AddRange(commands.Select(command => $"  {command}"));
        return lines;
    }

    /// <summary>The command lines (starting with <c>diffusiontune</c>) that try <paramref name="trained"/>; none for a kind they cannot load.</summary>
    public static IReadOnlyList<string> Commands(TrainJob job, SavedFile trained, IReadOnlyList<string> prompts, bool baseModelGiven, IReadOnlyList<string> pluginFolders)
    {
        var path = Shown(trained.Path);
        string[] baseModel = baseModelGiven ? ["--model", Shown(job.Model)] : [];
        string[] adapter = trained.Kind switch
        {
            SavedFileKind.Lora => ["--lora", path],
            SavedFileKind.Hypernetwork => ["--hypernetwork", path],
            SavedFileKind.Embedding => ["--embeddings", path],
            SavedFileKind.Adapter => ["--adapter", path, .. pluginFolders.SelectMany(folder => new[] { "--plugins-folder", Shown(Path.GetFullPath(folder)) })],
            _ => [],
        };
        string[] promptOptions = [.. prompts.SelectMany(p => new[] { "--prompt", p })];
        var generated = Shown(Path.Combine(job.OutputFolder, $"{job.OutputName}-generated"));
        var compared = Shown(Path.Combine(job.OutputFolder, $"{job.OutputName}-compare"));
        List<string[]> commands = trained.Kind switch
        {
            SavedFileKind.Model =>
            [
                ["generate", "--model", path, "--prompt", prompts[0], "--seed", "1", "--output", generated],
                ["compare", "--model", Shown(job.Model), "--model", path, .. promptOptions, "--output", compared],
            ],
            SavedFileKind.Lora or SavedFileKind.Hypernetwork =>
            [
                ["generate", .. baseModel, .. adapter, "--prompt", prompts[0], "--seed", "1", "--output", generated],
                ["compare", .. baseModel, .. adapter, "--include-base", .. promptOptions, "--output", compared],
            ],
            SavedFileKind.Embedding or SavedFileKind.Adapter => [["generate", .. baseModel, .. adapter, "--prompt", prompts[0], "--seed", "1", "--output", generated]],
            _ => [],
        };
        return [.. commands.Select(words => "diffusiontune " + string.Join(' ', words.Select(Quoted)))];
    }

    /// <summary>A path relative to the current folder when it lies inside it (shorter to read and paste).</summary>
    static string Shown(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    /// <summary>A word as a POSIX shell reads it back: plain when safe, else in single quotes.</summary>
    static string Quoted(string word) =>
        word.Length > 0 && SafeWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''") + "'";

    [GeneratedRegex(@"^[A-Za-z0-9_./:=@%+,-]+$")]
    private static partial Regex SafeWord();
}

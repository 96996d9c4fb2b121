using DiffusionTune.IO;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// Reads a prompt set: a plain text file with one prompt per line. Blank lines and lines starting with <c>#</c>
/// (comments) are skipped; surrounding whitespace is trimmed.
/// </summary>
public static class EvaluationPromptFile
{
    public static IReadOnlyList<EvaluationPrompt> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: prompts file not found", path);
        if (Path.GetExtension(path).ToLowerInvariant() is ".json" or ".jsonl")
            throw new ArgumentException($"{path}: evaluation prompts are plain text, one prompt per line (.txt)");
        return Parse(FileAccessException.Guard(path, "read", () => File.ReadAllLines(path)), path);
    }

    /// <summary>The prompts of <paramref name="lines"/>; <paramref name="origin"/> names them in errors.</summary>
    public static IReadOnlyList<EvaluationPrompt> Parse(IEnumerable<string> lines, string origin)
    {
        var prompts = lines.Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(EvaluationPrompt.Parse)
            .ToList();
        if (prompts.Count == 0) throw new ArgumentException($"{origin}: holds no prompts");
        return prompts;
    }
}

using System.Text.Json;
using DiffusionTune.IO;

namespace DiffusionTune.Workflows.Generation;

/// <summary>
/// One line of a <c>--prompts</c> file. Plain text files hold one prompt per line; JSON Lines files (.jsonl) hold one
/// object per line whose fields override the command-line settings for that prompt.
/// </summary>
public sealed record PromptJob(string Prompt, string? NegativePrompt = null, long? Seed = null, int? Steps = null,
    double? Cfg = null, int? Width = null, int? Height = null, string? Sampler = null, int? BatchSize = null);

public static class PromptFile
{
    /// <summary>Reads the jobs of <paramref name="path"/>; blank lines and lines starting with # are skipped.</summary>
    public static IReadOnlyList<PromptJob> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: prompts file not found", path);
        bool jsonLines = Path.GetExtension(path).Equals(".jsonl", StringComparison.OrdinalIgnoreCase);
        var jobs = new List<PromptJob>();
        int lineNumber = 0;
        foreach (var raw in FileAccessException.Guard(path, "read", () => File.ReadAllLines(path)))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            jobs.Add(jsonLines ? ParseJsonLine(line, path, lineNumber) : new PromptJob(line));
        }
        if (jobs.Count == 0) throw new ArgumentException($"{path}: holds no prompts");
        return jobs;
    }

    static PromptJob ParseJsonLine(string line, string path, int lineNumber)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(line);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path}:{lineNumber}: not a JSON object ({e.Message})");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{path}:{lineNumber}: expected a JSON object");

        string? prompt = null, negative = null, sampler = null;
        long? seed = null;
        int? steps = null, width = null, height = null, batch = null;
        double? cfg = null;
        foreach (var field in root.EnumerateObject())
        {
            try
            {
                switch (field.Name)
                {
                    case "prompt": prompt = field.Value.GetString(); break;
                    case "negative_prompt": negative = field.Value.GetString(); break;
                    case "seed": seed = field.Value.GetInt64(); break;
                    case "steps": steps = field.Value.GetInt32(); break;
                    case "cfg" or "cfg_scale" or "guidance_scale": cfg = field.Value.GetDouble(); break;
                    case "width": width = field.Value.GetInt32(); break;
                    case "height": height = field.Value.GetInt32(); break;
                    case "sampler": sampler = field.Value.GetString(); break;
                    case "batch_size": batch = field.Value.GetInt32(); break;
                    default:
                        throw new ArgumentException($"{path}:{lineNumber}: unknown field '{field.Name}' (known: prompt, negative_prompt, seed, steps, cfg, width, height, sampler, batch_size)");
                }
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new ArgumentException($"{path}:{lineNumber}: field '{field.Name}' has the wrong type ({field.Value.ValueKind})");
            }
        }
        if (string.IsNullOrWhiteSpace(prompt)) throw new ArgumentException($"{path}:{lineNumber}: has no \"prompt\"");
        return new PromptJob(prompt, negative, seed, steps, cfg, width, height, sampler, batch);
    }
}

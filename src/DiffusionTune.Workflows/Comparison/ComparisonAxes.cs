using System.Globalization;
using System.Text.RegularExpressions;
using DiffusionTune.IO;
using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Workflows.Comparison;

/// <summary>
/// Turns the user's <c>--model</c>, <c>--lora</c> and <c>--hypernetwork</c> arguments into grid columns. All accept a
/// glob in the last part of the path (<c>outputs/train/lora-step*.safetensors</c>), and an adapter argument may name a
/// folder (every adapter file in it, such as a training run's output) and a list of strengths (<c>style.safetensors:0.5,1</c>).
/// Intermediate results sort by their step (<c>-step000250</c>), the final result (no step) last.
/// </summary>
public static partial class ComparisonAxes
{
    /// <summary>Longest row label in characters: longer prompts are cut (the cell images keep the whole prompt).</summary>
    const int RowLabelLength = 40;

    /// <summary>
    /// One row per prompt and seed: <paramref name="seedCount"/> seeds from the prompt's own seed or <paramref name="seed"/>;
    /// with a <paramref name="yAxis"/>, each of those rows once per value (a prompt axis gives the prompts instead). When
    /// the columns give the prompts (<paramref name="columnsGivePrompts"/>) and none is given, the rows start from one unlabelled row.
    /// </summary>
    public static IReadOnlyList<ComparisonRow> Rows(IReadOnlyList<string> prompts, string? promptsFile, long seed, int seedCount,
        IReadOnlyList<ComparisonSetting>? yAxis = null, bool columnsGivePrompts = false)
    {
        if (seedCount < 1) throw new ArgumentException("--seeds must be at least 1");
        if (prompts.Count > 0 && promptsFile is not null) throw new ArgumentException("give either --prompt or --prompts, not both");
        bool promptAxis = yAxis is [{ Axis: SettingAxis.Prompt }, ..];
        if (promptAxis && (prompts.Count > 0 || promptsFile is not null)) throw new ArgumentException("--y prompt:… gives the prompts: leave out --prompt and --prompts");
        var jobs = promptAxis ? yAxis!.Select(s => new PromptJob(s.Value)).ToList()
            : promptsFile is not null ? PromptFile.Read(promptsFile)
            : prompts.Count > 0 ? prompts.Select(p => new PromptJob(p)).ToList()
            : columnsGivePrompts ? [new PromptJob("")]
            : throw new ArgumentException("nothing to compare: give --prompt TEXT (repeatable) or --prompts FILE");
        var rows = jobs.SelectMany(job => Enumerable.Range(0, seedCount).Select(i =>
        {
            long rowSeed = (job.Seed ?? seed) + i;
            var label = job.Prompt.Length > RowLabelLength ? job.Prompt[..(RowLabelLength - 2)] + ".." : job.Prompt;
            return new ComparisonRow(seedCount > 1 ? $"{label} #{rowSeed}" : label, job, rowSeed);
        })).ToList();
        if (yAxis is null || promptAxis) return rows;
        return [.. rows.SelectMany(row => yAxis.Select(setting => setting.Apply(row) with { Label = row.Label.Length == 0 ? setting.Label : $"{row.Label} · {setting.Label}" }))];
    }

    /// <summary>
    /// The columns: every model with every adapter (and the model alone first when <paramref name="includeBase"/> or
    /// there are no adapters).
    /// </summary>
    public static IReadOnlyList<ComparisonColumn> Columns(IReadOnlyList<string> models, IReadOnlyList<ComparisonAdapter> adapters, bool includeBase)
    {
        var columns = new List<ComparisonColumn>();
        foreach (var model in models)
        {
            var modelLabel = ResultLabel(model);
            if (includeBase || adapters.Count == 0) columns.Add(new ComparisonColumn(models.Count > 1 ? modelLabel : "base", model, null));
            foreach (var adapter in adapters)
            {
                var adapterLabel = ResultLabel(adapter.Path) + (adapter.Strength == 1 ? "" : " " + adapter.Strength.ToString(CultureInfo.InvariantCulture));
                columns.Add(new ComparisonColumn(models.Count > 1 ? $"{modelLabel}/{adapterLabel}" : adapterLabel, model, adapter));
            }
        }
        return columns;
    }

    /// <summary>
    /// Every column once per value of <paramref name="xAxis"/> (<c>--x cfg:5,7</c>), headed by the value, after the
    /// column's own heading when there are several; the columns as they are when there is no X axis.
    /// </summary>
    public static IReadOnlyList<ComparisonColumn> WithSettings(IReadOnlyList<ComparisonColumn> columns, IReadOnlyList<ComparisonSetting>? xAxis) =>
        xAxis is null ? columns : [.. columns.SelectMany(column => xAxis.Select(setting =>
            column with { Setting = setting, Label = columns.Count > 1 ? $"{column.Label} · {setting.Label}" : setting.Label }))];

    /// <summary>Expands <c>--model</c> arguments: paths as given, globs to the files and folders they match.</summary>
    public static IReadOnlyList<string> Models(IEnumerable<string> arguments) =>
        arguments.SelectMany(argument => IsGlob(argument)
            ? Glob(argument, Directory.EnumerateFileSystemEntries)
            : Path.Exists(argument) ? [argument] : throw new ModelFileException(argument, "model not found")).ToList();

    /// <summary>
    /// Expands <c>--lora</c> or <c>--hypernetwork</c> arguments (<c>FILE|FOLDER|GLOB[:STRENGTH[,STRENGTH…]]</c>) into one
    /// adapter per file and strength; a folder contributes every adapter file in it (.safetensors, and .pt for hypernetworks).
    /// </summary>
    public static IReadOnlyList<ComparisonAdapter> Adapters(AdapterKind kind, IEnumerable<string> arguments)
    {
        var option = kind == AdapterKind.Lora ? "--lora" : "--hypernetwork";
        string[] extensions = kind == AdapterKind.Lora ? [".safetensors"] : [".safetensors", ".pt"];
        var adapters = new List<ComparisonAdapter>();
        foreach (var argument in arguments)
        {
            var (target, strengths) = SplitStrengths(argument);
            IEnumerable<string> files = Directory.Exists(target)
                ? SortedByStep(Directory.EnumerateFiles(target).Where(file => extensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase)))
                : IsGlob(target) ? Glob(target, Directory.EnumerateFiles)
                : File.Exists(target) ? [target]
                : throw new ModelFileException(target, $"{option} file not found");
            var found = files.ToList();
            if (found.Count == 0) throw new ArgumentException($"{option} {argument}: the folder holds no {string.Join(" or ", extensions)} file");
            adapters.AddRange(found.SelectMany(file => strengths.Select(strength => new ComparisonAdapter(kind, file, strength))));
        }
        return adapters;
    }

    /// <summary>A short heading for a model or LoRA: <c>step 250</c> for an intermediate result, else its name.</summary>
    public static string ResultLabel(string path)
    {
        var stem = Stem(path);
        return StepSuffix().Match(stem) is { Success: true } match ? $"step {long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)}" : stem;
    }

    /// <summary>A file's name without <c>.safetensors</c> or <c>.pt</c>, or a folder's name (diffusers folders have no extension to drop).</summary>
    static string Stem(string path)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        return Path.GetExtension(name).ToLowerInvariant() is ".safetensors" or ".pt" ? Path.GetFileNameWithoutExtension(name) : name;
    }

    /// <summary>The path and strengths of <c>PATH[:S1,S2,…]</c> (strength 1 when none); a path that exists as typed is never split.</summary>
    static (string Target, IReadOnlyList<double> Strengths) SplitStrengths(string argument)
    {
        int colon = argument.LastIndexOf(':');
        if (colon <= 0 || Path.Exists(argument)) return (argument, [1.0]);
        var parts = argument[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
        var strengths = new List<double>();
        foreach (var part in parts)
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var strength) || !double.IsFinite(strength))
                return (argument, [1.0]);
            strengths.Add(strength);
        }
        return (argument[..colon], strengths);
    }

    static bool IsGlob(string path) => Path.GetFileName(path).IndexOfAny(['*', '?']) >= 0;

    static IEnumerable<string> Glob(string pattern, Func<string, string, IEnumerable<string>> enumerate)
    {
        var folder = Path.GetDirectoryName(pattern) is { Length: > 0 } parent ? parent : ".";
        var matches = Directory.Exists(folder) ? SortedByStep(enumerate(folder, Path.GetFileName(pattern))) : [];
        return matches.Count > 0 ? matches : throw new ArgumentException($"'{pattern}' matches nothing");
    }

    /// <summary>Intermediate results by step, then the rest (the final result) by name.</summary>
    static List<string> SortedByStep(IEnumerable<string> paths) =>
        paths.Select(path => (Path: path, Step: StepSuffix().Match(Stem(path))))
            .OrderBy(p => p.Step.Success ? 0 : 1)
            .ThenBy(p => p.Step.Success ? long.Parse(p.Step.Groups[1].Value, CultureInfo.InvariantCulture) : 0)
            .ThenBy(p => p.Path, StringComparer.Ordinal)
            .Select(p => p.Path)
            .ToList();

    [GeneratedRegex(@"-step(\d+)$")]
    private static partial Regex StepSuffix();
}

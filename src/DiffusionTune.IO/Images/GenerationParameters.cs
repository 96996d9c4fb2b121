using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DiffusionTune.IO.Images;

/// <summary>
/// The settings one generated image was made with, and their AUTOMATIC1111 "infotext": the text A1111 stores in a
/// PNG's <c>parameters</c> chunk and that its PNG Info tab, Civitai and other tools read back. The layout is
/// <code>
/// prompt (may span lines)
/// Negative prompt: ... (only when there is one)
/// Steps: 20, Sampler: Euler a, Schedule type: Karras, CFG scale: 7, Seed: 1234, Size: 512x512, Model hash: ..., Model: ..., Clip skip: 2, ..., Version: ...
/// </code>
/// with a value JSON-quoted when it contains a comma, a colon or a newline, as A1111 does.
/// </summary>
public sealed partial record GenerationParameters
{
    public required string Prompt { get; init; }

    /// <summary>Empty when none was used; the infotext then has no <c>Negative prompt:</c> line.</summary>
    public string NegativePrompt { get; init; } = "";

    public required int Steps { get; init; }

    /// <summary>The sampler's display name as A1111 shows it, e.g. <c>Euler a</c> or <c>DPM++ 2M</c>.</summary>
    public required string Sampler { get; init; }

    /// <summary>The noise schedule's display name, e.g. <c>Karras</c>; omitted when null.</summary>
    public string? ScheduleType { get; init; }

    public required double CfgScale { get; init; }

    public required long Seed { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>A1111's short model hash: the first 10 hex digits of the checkpoint file's SHA-256.</summary>
    public string? ModelHash { get; init; }

    public string? ModelName { get; init; }

    /// <summary>Omitted when null; A1111 itself writes it only above 1.</summary>
    public int? ClipSkip { get; init; }

    /// <summary>
    /// Further entries, written after <c>Clip skip</c> in this order (A1111 puts its extra generation parameters
    /// there too). Keys must look like A1111 keys (a word character, then word characters, spaces, '-' or '/').
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extra { get; init; } = [];

    /// <summary>The program version, written last as A1111 does.</summary>
    public string? Version { get; init; }

    static readonly string[] KnownKeys = ["Steps", "Sampler", "Schedule type", "CFG scale", "Seed", "Size", "Model hash", "Model", "Clip skip", "Version"];

    /// <summary>One <c>key: value</c> entry of the last line, as A1111's <c>re_param</c> matches it.</summary>
    [GeneratedRegex("""\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)""")]
    private static partial Regex EntryPattern();

    [GeneratedRegex("""^\w[\w \-/]+$""")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("""^(\d+)x(\d+)$""")]
    private static partial Regex SizePattern();

    /// <summary>The infotext A1111 would write for these settings.</summary>
    public string ToParametersText()
    {
        var entries = new List<(string Key, string Value)>
        {
            ("Steps", Format(Steps)),
            ("Sampler", Sampler),
        };
        if (ScheduleType is not null) entries.Add(("Schedule type", ScheduleType));
        entries.Add(("CFG scale", CfgScale.ToString("R", CultureInfo.InvariantCulture)));
        entries.Add(("Seed", Format(Seed)));
        entries.Add(("Size", $"{Format(Width)}x{Format(Height)}"));
        if (ModelHash is not null) entries.Add(("Model hash", ModelHash));
        if (ModelName is not null) entries.Add(("Model", ModelName));
        if (ClipSkip is { } clipSkip) entries.Add(("Clip skip", Format(clipSkip)));
        foreach (var (key, value) in Extra)
        {
            if (!KeyPattern().IsMatch(key) || KnownKeys.Contains(key))
                throw new InvalidOperationException($"'{key}' cannot be an extra infotext key: it must be a word character followed by word characters, spaces, '-' or '/', and not one of {string.Join(", ", KnownKeys)}");
            entries.Add((key, value));
        }
        if (Version is not null) entries.Add(("Version", Version));

        var text = new StringBuilder(Prompt);
        if (NegativePrompt.Length > 0) text.Append("\nNegative prompt: ").Append(NegativePrompt);
        text.Append('\n').AppendJoin(", ", entries.Select(e => $"{e.Key}: {Quote(e.Value)}"));
        return text.ToString().Trim();
    }

    /// <summary>
    /// Reads an infotext as A1111's <c>parse_generation_parameters</c> does: lines are trimmed, the last line holds
    /// the entries when at least three <c>key: value</c> pairs match in it, unknown keys land in <see cref="Extra"/>
    /// and a repeated key keeps its last value.
    /// </summary>
    /// <exception cref="FormatException">Steps, Sampler, CFG scale, Seed or Size is missing or malformed.</exception>
    public static GenerationParameters Parse(string parametersText)
    {
        var lines = parametersText.Trim().Split('\n');
        var entries = EntryPattern().Matches(lines[^1]);
        var promptLines = lines.AsEnumerable();
        if (entries.Count >= 3) promptLines = lines[..^1];
        else entries = EntryPattern().Matches("");

        var prompt = new List<string>();
        var negative = new List<string>();
        foreach (var raw in promptLines)
        {
            var line = raw.Trim();
            if (line.StartsWith("Negative prompt:", StringComparison.Ordinal))
            {
                negative.Add(line["Negative prompt:".Length..].Trim());
                continue;
            }
            (negative.Count > 0 ? negative : prompt).Add(line);
        }

        var values = new Dictionary<string, string>();
        var extra = new List<KeyValuePair<string, string>>();
        foreach (Match entry in entries)
        {
            var key = entry.Groups[1].Value;
            var value = Unquote(entry.Groups[2].Value);
            if (KnownKeys.Contains(key))
            {
                values[key] = value;
                continue;
            }
            extra.RemoveAll(e => e.Key == key);
            extra.Add(new(key, value));
        }

        string Required(string key) =>
            values.TryGetValue(key, out var value) ? value : throw new FormatException($"the infotext has no '{key}' entry");
        T Number<T>(string key, string value) where T : INumber<T> =>
            T.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new FormatException($"the infotext's '{key}' entry '{value}' is not a {typeof(T).Name}");

        // Checked in the order A1111 writes them, so the first missing entry is the one reported.
        int steps = Number<int>("Steps", Required("Steps"));
        var sampler = Required("Sampler");
        double cfgScale = Number<double>("CFG scale", Required("CFG scale"));
        long seed = Number<long>("Seed", Required("Seed"));
        var size = SizePattern().Match(Required("Size"));
        if (!size.Success) throw new FormatException($"the infotext's 'Size' entry '{values["Size"]}' is not WIDTHxHEIGHT");
        return new GenerationParameters
        {
            Prompt = string.Join('\n', prompt),
            NegativePrompt = string.Join('\n', negative),
            Steps = steps,
            Sampler = sampler,
            ScheduleType = values.GetValueOrDefault("Schedule type"),
            CfgScale = cfgScale,
            Seed = seed,
            Width = Number<int>("Size", size.Groups[1].Value),
            Height = Number<int>("Size", size.Groups[2].Value),
            ModelHash = values.GetValueOrDefault("Model hash"),
            ModelName = values.GetValueOrDefault("Model"),
            ClipSkip = values.TryGetValue("Clip skip", out var clipSkip) ? Number<int>("Clip skip", clipSkip) : null,
            Extra = extra,
            Version = values.GetValueOrDefault("Version"),
        };
    }

    /// <summary><see cref="Parse"/> that returns false instead of throwing on a malformed infotext.</summary>
    public static bool TryParse(string parametersText, [NotNullWhen(true)] out GenerationParameters? parameters)
    {
        try
        {
            parameters = Parse(parametersText);
            return true;
        }
        catch (FormatException)
        {
            parameters = null;
            return false;
        }
    }

    public bool Equals(GenerationParameters? other) =>
        other is not null
        && Prompt == other.Prompt && NegativePrompt == other.NegativePrompt && Steps == other.Steps
        && Sampler == other.Sampler && ScheduleType == other.ScheduleType && CfgScale.Equals(other.CfgScale)
        && Seed == other.Seed && Width == other.Width && Height == other.Height && ModelHash == other.ModelHash
        && ModelName == other.ModelName && ClipSkip == other.ClipSkip && Version == other.Version
        && Extra.SequenceEqual(other.Extra);

    public override int GetHashCode() => HashCode.Combine(Prompt, Steps, Sampler, CfgScale, Seed, Width, Height);

    static string Format<T>(T number) where T : IFormattable => number.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>A1111's <c>quote</c>: values holding ',', ':' or a newline become a JSON string (non-ASCII kept as is).</summary>
    static string Quote(string value)
    {
        if (value.IndexOfAny([',', ':', '\n']) < 0) return value;
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    /// <summary>A1111's <c>unquote</c>: a value in double quotes is decoded as a JSON string; anything else stays as written.</summary>
    static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"') return value;
        try
        {
            return JsonSerializer.Deserialize<string>(value) ?? value;
        }
        catch (JsonException)
        {
            return value;
        }
    }
}

using System.Text.Json;

namespace DiffusionTune.Web.Library;

/// <summary>
/// The figures of a damage report (<c>NAME.damage.json</c>, written by <c>train</c> next to its result and by
/// <c>damage</c>) that the library shows: the relative drift on general prompts (damage) and on concept prompts
/// (the intended change), and on the general prompts per UNet block and per timestep.
/// </summary>
public sealed record DamageSummary(string FileName, double GeneralDrift, double? ConceptDrift, double? ConceptToGeneral,
    IReadOnlyList<(string Block, double Drift)> Blocks, IReadOnlyList<(int Timestep, double Drift)> Timesteps)
{
    /// <summary>The extension <c>damage</c> and <c>train</c> give the report.</summary>
    public const string Extension = ".damage.json";

    /// <summary>The report beside <paramref name="modelPath"/> (same name, <see cref="Extension"/>), or null when there is none or it cannot be read.</summary>
    public static DamageSummary? Beside(string modelPath)
    {
        var file = Path.ChangeExtension(modelPath, null) + Extension;
        if (!File.Exists(file)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            var general = root.GetProperty("general");
            JsonElement? concept = root.TryGetProperty("concept", out var c) && c.ValueKind == JsonValueKind.Object ? c : null;
            var generalDrift = Relative(general.GetProperty("total"));
            var conceptDrift = concept is { } value ? Relative(value.GetProperty("total")) : (double?)null;
            var blocks = general.TryGetProperty("blocks", out var b) && b.ValueKind == JsonValueKind.Array
                ? b.EnumerateArray().Select(e => (e.GetProperty("block").GetString() ?? "?", Relative(e.GetProperty("drift")))).ToList()
                : [];
            var timesteps = general.TryGetProperty("timesteps", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Select(e => (e.GetProperty("timestep").GetInt32(), Relative(e.GetProperty("drift")))).ToList()
                : [];
            return new DamageSummary(Path.GetFileName(file), generalDrift, conceptDrift,
                conceptDrift is { } cd && generalDrift > 0 ? cd / generalDrift : null, blocks, timesteps);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException or FormatException)
        {
            return null;
        }
    }

    /// <summary>A drift figure's relative value: its "relative" field, or mean_squared_error ÷ base_mean_square.</summary>
    static double Relative(JsonElement figure)
    {
        if (figure.TryGetProperty("relative", out var relative) && relative.ValueKind == JsonValueKind.Number) return relative.GetDouble();
        var mse = figure.GetProperty("mean_squared_error").GetDouble();
        return mse == 0 ? 0 : mse / figure.GetProperty("base_mean_square").GetDouble();
    }
}

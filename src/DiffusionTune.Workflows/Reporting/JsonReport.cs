using System.Text.Json;
using System.Text.Json.Serialization;
using DiffusionTune.IO;

namespace DiffusionTune.Workflows.Reporting;

/// <summary>How the workflows' JSON reports are written and read: snake_case, indented, written atomically.</summary>
public static class JsonReport
{
    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
        // An adherence rate nothing was judged on is NaN; a drift with a zero base is infinite.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    /// <summary>Writes <paramref name="report"/> to <paramref name="path"/> atomically (replacing an older one), creating its folder.</summary>
    public static void Write<T>(T report, string path) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(report, Json));

    /// <param name="what">What the file should be, for errors ("damage report").</param>
    /// <exception cref="InvalidDataException">The file is not such a report.</exception>
    public static T Read<T>(string path, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(FileAccessException.Guard(path, "read", () => File.ReadAllText(path)), Json) ?? throw new InvalidDataException($"{path}: empty {what}");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a {what}: {e.Message}", e);
        }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using DiffusionTune.IO;

namespace DiffusionTune.Models.Configuration;

/// <summary>Reads and writes the <c>config.json</c> files of diffusers/transformers model folders.</summary>
public static class ModelConfigFile
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static T Read<T>(string path) where T : class
    {
        if (!File.Exists(path)) throw new ModelFileException(path, "config file not found");
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<T>(stream, Options)
                ?? throw new ModelFileException(path, "the config is empty (null)");
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, $"not a valid {typeof(T).Name} config: {e.Message}", e);
        }
    }

    public static T Parse<T>(string json, string origin) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new ModelFileException(origin, "the config is empty (null)");
        }
        catch (JsonException e)
        {
            throw new ModelFileException(origin, $"not a valid {typeof(T).Name} config: {e.Message}", e);
        }
    }

    public static string Serialize<T>(T config) => JsonSerializer.Serialize(config, Options);

    public static void Write<T>(string path, T config) => AtomicFile.WriteAllText(path, Serialize(config));
}

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

    /// <summary>Reads and validates the config at <paramref name="path"/>.</summary>
    /// <exception cref="ModelFileException">The file is missing, not valid JSON for <typeparamref name="T"/>, or a field is out of range or unsupported.</exception>
    public static T Read<T>(string path) where T : class, IModelConfig
    {
        if (!File.Exists(path)) throw new ModelFileException(path, "config file not found");
        T? config;
        try
        {
            using var stream = FileAccessException.Guard(path, "read", () => File.OpenRead(path));
            config = JsonSerializer.Deserialize<T>(stream, Options);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, $"not a valid {typeof(T).Name} config: {e.Message}", e);
        }
        return Validated(config, path);
    }

    /// <summary>Parses and validates a config held in text; <paramref name="origin"/> names where it came from in messages.</summary>
    /// <exception cref="ModelFileException">The text is not valid JSON for <typeparamref name="T"/>, or a field is out of range or unsupported.</exception>
    public static T Parse<T>(string json, string origin) where T : class, IModelConfig
    {
        T? config;
        try
        {
            config = JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(origin, $"not a valid {typeof(T).Name} config: {e.Message}", e);
        }
        return Validated(config, origin);
    }

    /// <summary>Validates before anything is built from the config, so an absurd value never reaches an allocation.</summary>
    static T Validated<T>(T? config, string origin) where T : class, IModelConfig
    {
        if (config is null) throw new ModelFileException(origin, "the config is empty (null)");
        try
        {
            config.Validate();
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(origin, e.Message, e);
        }
        return config;
    }

    public static string Serialize<T>(T config) => JsonSerializer.Serialize(config, Options);

    public static void Write<T>(string path, T config) => AtomicFile.WriteAllText(path, Serialize(config));
}

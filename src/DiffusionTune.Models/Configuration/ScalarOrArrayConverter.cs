using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffusionTune.Models.Configuration;

/// <summary>
/// Reads config fields that diffusers allows as either one value for every level or a list per level
/// (<c>"layers_per_block": 2</c> or <c>[2, 2, 2, 2]</c>). A scalar becomes a one-element array; callers
/// expand it to the number of levels with <see cref="PerLevel"/>.
/// </summary>
public sealed class ScalarOrArrayConverter<T> : JsonConverter<T[]>
{
    public override T[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.StartArray)
            return JsonSerializer.Deserialize<T[]>(ref reader, options);
        return [JsonSerializer.Deserialize<T>(ref reader, options)!];
    }

    public override void Write(Utf8JsonWriter writer, T[] value, JsonSerializerOptions options)
    {
        if (value.Length == 1) JsonSerializer.Serialize(writer, value[0], options);
        else JsonSerializer.Serialize(writer, value, options);
    }

    /// <summary>Expands a scalar-or-list field to one value per level, or explains why it cannot.</summary>
    public static T[] PerLevel(T[] values, int levels, string field)
    {
        if (values.Length == 1) return Enumerable.Repeat(values[0], levels).ToArray();
        if (values.Length == levels) return values;
        throw new InvalidDataException($"{field} has {values.Length} entries but the model has {levels} levels");
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffusionTune.Web.Jobs;

/// <summary>How job files and API answers are written: snake_case, states as words.</summary>
public static class JobJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}

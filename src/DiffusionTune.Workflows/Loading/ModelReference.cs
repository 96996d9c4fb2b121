using System.Text.Json.Serialization;
using DiffusionTune.Diffusion.Pipelines;

namespace DiffusionTune.Workflows.Loading;

/// <summary>A model as the metadata of files made from it names it: A1111's name and short hash, and where it was.</summary>
public sealed record ModelReference(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("path")] string Path)
{
    public static ModelReference Of(StableDiffusionModel model) => new(model.Name, model.ShortHash, model.SourcePath);
}

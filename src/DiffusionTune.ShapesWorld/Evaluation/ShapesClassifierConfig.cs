using System.Text.Json.Serialization;
using DiffusionTune.Models.Configuration;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// The architecture of a <see cref="ShapesClassifier"/>, saved as its <c>config.json</c>. The class names of every
/// head are saved too, so a classifier trained before an enum of the world changed is refused instead of misread.
/// </summary>
public sealed record ShapesClassifierConfig : IModelConfig
{
    public const string ExpectedClassName = "ShapesClassifier";

    [JsonPropertyName("_class_name")] public string ClassName { get; init; } = ExpectedClassName;

    /// <summary>Width and height of the square RGB images it reads.</summary>
    [JsonPropertyName("image_size")] public int ImageSize { get; init; } = SceneRenderer.DefaultSize;

    /// <summary>Channels of the stem (at half resolution), then of each stage; every stage halves the resolution again.</summary>
    [JsonPropertyName("block_out_channels")] public int[] BlockOutChannels { get; init; } = [32, 64, 128];

    /// <summary>Width of the penultimate embedding (<see cref="ShapesClassifier.Features"/>).</summary>
    [JsonPropertyName("feature_dim")] public int FeatureDim { get; init; } = 128;

    [JsonPropertyName("norm_num_groups")] public int NormNumGroups { get; init; } = 8;

    /// <summary>Class names per head, keyed by <see cref="SceneAttributes.Name"/>; the world's current ones by default.</summary>
    [JsonPropertyName("labels")] public Dictionary<string, string[]> Labels { get; init; } = SceneLabels.Attributes.ToDictionary(
        SceneAttributes.Name, attribute => SceneAttributes.ClassNames(attribute).ToArray());

    /// <summary>How many classes the head of <paramref name="attribute"/> tells apart.</summary>
    public int ClassCount(SceneAttribute attribute) => Labels[SceneAttributes.Name(attribute)].Length;

    /// <summary>Throws <see cref="InvalidDataException"/> listing every problem: an unusable architecture or labels that are not the world's.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        void Require(bool ok, string problem) { if (!ok) problems.Add(problem); }
        Require(ClassName == ExpectedClassName, $"_class_name is '{ClassName}', expected {ExpectedClassName}");
        Require(BlockOutChannels.Length >= 1, "block_out_channels needs at least the stem's channels");
        Require(NormNumGroups > 0 && BlockOutChannels.All(c => c > 0 && c % NormNumGroups == 0), $"every block_out_channels entry must be a positive multiple of norm_num_groups {NormNumGroups}");
        Require(FeatureDim > 0, "feature_dim must be positive");
        int downsampling = 1 << BlockOutChannels.Length;
        Require(ImageSize > 0 && ImageSize % downsampling == 0, $"image_size {ImageSize} must be a positive multiple of {downsampling}");
        foreach (var attribute in SceneLabels.Attributes)
        {
            string name = SceneAttributes.Name(attribute);
            var expected = SceneAttributes.ClassNames(attribute);
            Require(Labels.TryGetValue(name, out var saved) && saved.SequenceEqual(expected),
                $"labels.{name} must be [{string.Join(", ", expected)}] (the world's current classes)");
        }
        Require(Labels.Count == SceneLabels.Attributes.Count, $"labels must have exactly the heads {string.Join(", ", SceneLabels.Attributes.Select(SceneAttributes.Name))}");
        if (problems.Count > 0)
            throw new InvalidDataException("unsupported shapes classifier config: " + string.Join("; ", problems));
    }
}

using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Blocks;
using DiffusionTune.Models.Configuration;
using DiffusionTune.Models.Loading;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// A small CNN that reads a shapes-world image ([B, 3, 64, 64] in [-1, 1]) and names its shape, the shape's colour,
/// the background pattern and colour, and the render style (held-out styles included), one head each. It judges
/// generated images: prompt adherence from its predictions, diversity and Fréchet distance from its penultimate
/// embedding (<see cref="Features"/>). A stem at half resolution (<see cref="ClassifierStem"/>), then stages that
/// each halve the resolution again (<see cref="ClassifierStage"/>), then average and max pooling (max keeps small
/// cues such as a face's eyes), a shared embedding layer and linear heads. Every leaf layer comes from
/// <see cref="Layers"/>, so GroupNorm starts at weight 1 and bias 0.
/// </summary>
public sealed class ShapesClassifier : nn.Module<Tensor, ShapesClassifierOutput>
{
    public const string WeightsBaseName = "model";

    private readonly ClassifierStem stem;
    private readonly ModuleList<ClassifierStage> stages;
    private readonly Linear embedding;
    private readonly Linear shape_head;
    private readonly Linear color_head;
    private readonly Linear pattern_head;
    private readonly Linear background_color_head;
    private readonly Linear style_head;

    public ShapesClassifier(ShapesClassifierConfig config) : base(nameof(ShapesClassifier))
    {
        config.Validate();
        Config = config;
        var channels = config.BlockOutChannels;
        int groups = config.NormNumGroups;
        stem = new ClassifierStem(channels[0], groups);
        stages = nn.ModuleList([.. Enumerable.Range(1, channels.Length - 1).Select(i => new ClassifierStage(channels[i - 1], channels[i], groups))]);
        embedding = Layers.Linear(2L * channels[^1], config.FeatureDim);
        shape_head = Head(SceneAttribute.Shape);
        color_head = Head(SceneAttribute.Color);
        pattern_head = Head(SceneAttribute.Pattern);
        background_color_head = Head(SceneAttribute.BackgroundColor);
        style_head = Head(SceneAttribute.Style);
        RegisterComponents();
    }

    Linear Head(SceneAttribute attribute) => Layers.Linear(Config.FeatureDim, Config.ClassCount(attribute));

    public ShapesClassifierConfig Config { get; }

    /// <summary>Loads a folder written by <see cref="SavePretrained"/> (<c>config.json</c> + <c>model.safetensors</c>).</summary>
    public static ShapesClassifier FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        if (!Directory.Exists(folder))
            throw new ModelFileException(folder, File.Exists(folder) ? "is a file, not a classifier folder" : "classifier folder not found");
        var configPath = Path.Combine(folder, "config.json");
        var config = ModelConfigFile.Read<ShapesClassifierConfig>(configPath);
        var model = MetaDevice.Build(() => new ShapesClassifier(config));
        using var file = SafetensorsFile.Open(WeightsFile.Find(folder, WeightsBaseName));
        ParameterMaterializer.Load(model, TensorSource.FromSafetensors(file), device ?? CPU, dtype);
        model.eval();
        return model;
    }

    /// <summary>Writes <c>config.json</c> and <c>model.safetensors</c> into <paramref name="folder"/>.</summary>
    public void SavePretrained(string folder, IReadOnlyDictionary<string, string>? metadata = null) =>
        PretrainedComponent.Save(folder, WeightsBaseName, Config, this, metadata);

    public Device Device => embedding.weight!.device;

    public ScalarType Dtype => embedding.weight!.dtype;

    public override ShapesClassifierOutput forward(Tensor image)
    {
        CheckImages(image);
        using var scope = NewDisposeScope();
        var features = Embed(image);
        var logits = new Dictionary<SceneAttribute, Tensor>
        {
            [SceneAttribute.Shape] = shape_head.call(features),
            [SceneAttribute.Color] = color_head.call(features),
            [SceneAttribute.Pattern] = pattern_head.call(features),
            [SceneAttribute.BackgroundColor] = background_color_head.call(features),
            [SceneAttribute.Style] = style_head.call(features),
        };
        scope.MoveToOuter([features, .. logits.Values]);
        return new ShapesClassifierOutput(features, logits);
    }

    /// <summary>The penultimate embedding [B, feature_dim] of images [B, 3, H, W] in [-1, 1] (moved to the model's device and dtype).</summary>
    public Tensor Features(Tensor image)
    {
        CheckImages(image);
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(Embed(image.to(Dtype, Device)));
    }

    /// <summary>
    /// Reads images [B, 3, H, W] in [-1, 1] (any device and dtype) without tracking gradients: the predicted labels
    /// and the embedding as float32 on the CPU.
    /// </summary>
    public (SceneLabels[] Labels, Tensor Features) Read(Tensor images)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var output = call(images.to(Dtype, Device));
        return (output.Labels(), scope.MoveToOuter(output.Features.to(ScalarType.Float32, CPU)));
    }

    Tensor Embed(Tensor image)
    {
        var hidden = stem.call(image);
        foreach (var stage in stages) hidden = stage.call(hidden);
        var pooled = cat([hidden.mean([2, 3]), hidden.amax([2, 3])], 1);
        return nn.functional.silu(embedding.call(pooled));
    }

    void CheckImages(Tensor image)
    {
        int size = Config.ImageSize;
        if (image.dim() != 4 || image.shape[1] != 3 || image.shape[2] != size || image.shape[3] != size)
            throw new ArgumentException($"the shapes classifier reads images [B, 3, {size}, {size}], got [{string.Join(", ", image.shape)}]", nameof(image));
    }
}

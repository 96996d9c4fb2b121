using DiffusionTune.IO;
using DiffusionTune.Models.Configuration;
using DiffusionTune.ShapesWorld;
using DiffusionTune.ShapesWorld.Evaluation;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Evaluation;

public class ShapesClassifierTests
{
    static string ShippedFolder => Path.Combine(TestPaths.RepoRoot, "models", "shapes-evaluator");

    [Fact]
    public void The_shipped_classifier_names_every_attribute_of_fresh_renders_at_least_98_percent_of_the_time()
    {
        using var classifier = ShapesClassifier.FromPretrained(ShippedFolder);
        // A seed that neither training (1) nor its held-out measurement used.
        var dataset = new ShapesWorldDataset(20261123, ShapesClassifierTrainer.AllStyles);

        var accuracy = ClassifierAccuracy.Measure(classifier, dataset, 500);

        Assert.All(accuracy.PerAttribute, head => Assert.True(head.Value >= 0.98, $"{head.Key}: {head.Value:P1}"));
    }

    [Fact]
    public void The_shipped_classifier_is_small()
    {
        long bytes = Directory.EnumerateFiles(ShippedFolder).Sum(file => new FileInfo(file).Length);
        Assert.True(bytes < 5 << 20, $"{bytes} bytes");
    }

    [Fact]
    public void Save_and_load_give_the_same_predictions_and_features()
    {
        using var scratch = new ScratchFolder();
        manual_seed(7);
        using var classifier = new ShapesClassifier(new ShapesClassifierConfig { BlockOutChannels = [8, 16], FeatureDim = 12 });
        classifier.eval();
        classifier.SavePretrained(scratch.Path);
        using var loaded = ShapesClassifier.FromPretrained(scratch.Path);
        using var images = rand([3, 3, 64, 64]) * 2 - 1;

        var (labels, features) = classifier.Read(images);
        var (loadedLabels, loadedFeatures) = loaded.Read(images);

        Assert.Equal(labels, loadedLabels);
        Assert.True(features.allclose(loadedFeatures));
        Assert.Equal([3, 12], loaded.Features(images).shape);
    }

    [Fact]
    public void A_classifier_trained_for_other_classes_is_refused()
    {
        using var scratch = new ScratchFolder();
        using var classifier = new ShapesClassifier(new ShapesClassifierConfig { BlockOutChannels = [8, 16] });
        var config = classifier.Config with { Labels = new(classifier.Config.Labels) { ["shape"] = ["circle", "square"] } };
        classifier.SavePretrained(scratch.Path);
        ModelConfigFile.Write(scratch.File("config.json"), config);

        var error = Assert.Throws<ModelFileException>(() => ShapesClassifier.FromPretrained(scratch.Path));
        Assert.Contains("labels.shape", error.Message);
    }

    [Fact]
    public void Images_of_the_wrong_size_are_refused()
    {
        using var classifier = new ShapesClassifier(new ShapesClassifierConfig { BlockOutChannels = [8, 16] });
        using var images = zeros(1, 3, 32, 32);
        Assert.Throws<ArgumentException>(() => classifier.Read(images));
    }
}

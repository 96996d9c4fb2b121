using DiffusionTune.Cli;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Images;
using DiffusionTune.ShapesWorld.Evaluation;

namespace DiffusionTune.Tests.ShapesWorld;

/// <summary>The shipped shapes-world model: it loads, it is the default, and the evaluator recognises what it draws.</summary>
public class EmbeddedModelTests
{
    static string ModelFolder => Path.Combine(AppContext.BaseDirectory, "models", "shapes-world");

    [Fact]
    public void The_embedded_model_loads_with_its_tokenizer_and_knows_the_rare_identifiers()
    {
        using var model = StableDiffusionModel.Load(ModelFolder);
        Assert.Equal(64, model.NativeImageSize);
        Assert.Equal(4, model.VaeScaleFactor);
        foreach (var identifier in DiffusionTune.ShapesWorld.RareIdentifiers.All)
            Assert.Single(model.Tokenizer.Encode(identifier));
        var files = Directory.EnumerateFiles(ModelFolder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(files < 50L << 20, $"the shipped model is {files / (1 << 20)} MB");
    }

    [Fact]
    public async Task Generate_without_a_model_uses_the_embedded_one()
    {
        var output = TestPaths.TempFolder();
        Assert.Equal(0, await CliApplication.RunAsync(["generate", "--prompt", "a red star on a plain white background",
            "--steps", "10", "--seed", "3", "--output", output, "--device", "cpu"]));
        var png = Assert.Single(Directory.GetFiles(output, "*.png"));
        var parameters = GenerationParameters.Parse(PngTextReader.Find(png, "parameters")!);
        Assert.Equal("shapes-world", parameters.ModelName);
        Assert.Equal((64, 64), (parameters.Width, parameters.Height));
    }

    [Fact]
    public void The_evaluator_reads_shape_and_colour_from_what_the_model_draws()
    {
        using var model = StableDiffusionModel.Load(ModelFolder);
        using var classifier = ShapesClassifier.FromPretrained(Path.Combine(AppContext.BaseDirectory, "models", "shapes-evaluator"));
        using var evaluation = ModelEvaluator.Evaluate(model, classifier,
            [EvaluationPrompt.Parse("a red star on a plain white background"), EvaluationPrompt.Parse("a blue circle on a plain yellow background")],
            new EvaluationSettings { Seeds = 4, Steps = 20 });
        double shape = evaluation.Adherence.PerAttribute[SceneAttribute.Shape].Rate, color = evaluation.Adherence.PerAttribute[SceneAttribute.Color].Rate;
        Assert.True(shape >= 0.75, $"shape adherence {shape:P0}");
        Assert.True(color >= 0.75, $"colour adherence {color:P0}");
    }
}

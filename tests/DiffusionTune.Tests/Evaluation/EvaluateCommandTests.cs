using System.Text.Json;
using DiffusionTune.Cli;
using DiffusionTune.IO.Images;
using DiffusionTune.ShapesWorld.Evaluation;
using DiffusionTune.Tests.Pipelines;

namespace DiffusionTune.Tests.Evaluation;

public class EvaluateCommandTests
{
    static readonly string[] Prompts = ["a red star on a striped blue background", "an outline of a green circle"];

    [Fact]
    public async Task Evaluate_writes_a_report_and_contact_sheets_and_a_model_has_no_drift_from_itself()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var prompts = scratch.File("prompts.txt");
        File.WriteAllLines(prompts, Prompts);
        var output = scratch.File("out");

        // No --evaluator: the shipped classifier, copied next to the executable, is the default.
        int exit = await CliApplication.RunAsync(["evaluate", "--model", model, "--reference", model, "--prompts", prompts,
            "--seeds", "2", "--steps", "2", "--output", output, "--device", "cpu"]);

        Assert.Equal(0, exit);
        var reportPath = Assert.Single(Directory.GetFiles(output, "*.json"));
        using var report = JsonDocument.Parse(File.ReadAllText(reportPath));
        var root = report.RootElement;
        var results = root.GetProperty("model_results");
        var promptResults = results.GetProperty("prompts").EnumerateArray().ToArray();
        Assert.Equal(Prompts, promptResults.Select(p => p.GetProperty("prompt").GetString()));
        Assert.Equal(2, promptResults[0].GetProperty("images").GetArrayLength());
        Assert.Equal(["shape", "color", "pattern", "background_color"], promptResults[0].GetProperty("expected").EnumerateObject().Select(p => p.Name));
        Assert.Equal("outline_only", promptResults[1].GetProperty("expected").GetProperty("style").GetString());
        Assert.Equal(4, results.GetProperty("adherence").GetProperty("shape").GetProperty("judged").GetInt32());
        Assert.Equal(2, results.GetProperty("adherence").GetProperty("pattern").GetProperty("judged").GetInt32());
        Assert.True(results.GetProperty("diversity").GetDouble() >= 0);

        // The same model and seeds give the same images, so nothing drifts. Four feature vectors give a covariance of
        // rank three, whose many zero eigenvalues come back as rounding noise of about 1e-16, i.e. 1e-8 once rooted.
        var drift = root.GetProperty("drift");
        Assert.Equal(0, drift.GetProperty("frechet_distance").GetDouble(), 1e-3);
        Assert.All(drift.GetProperty("adherence_change").EnumerateObject(), change => Assert.Equal(0, change.Value.GetDouble()));
        Assert.Equal(results.GetRawText(), root.GetProperty("reference_results").GetRawText());

        var sheets = root.GetProperty("contact_sheets");
        foreach (var role in new[] { "model", "reference" })
        {
            using var sheet = ImageLoader.LoadRgb(Path.Combine(output, sheets.GetProperty(role).GetString()!));
            // Two rows of 64-px images under a label strip, two columns right of the prompt labels.
            Assert.True(sheet.Height > 2 * 64 && sheet.Width > 2 * 64, $"{sheet.Width}x{sheet.Height}");
        }
    }

    [Fact]
    public async Task One_seed_is_refused_because_diversity_needs_pairs()
    {
        using var scratch = new ScratchFolder();
        var prompts = scratch.File("prompts.txt");
        File.WriteAllLines(prompts, Prompts);
        Assert.Equal(1, await CliApplication.RunAsync(["evaluate", "--model", RandomTinyModel.SaveDiffusers(), "--prompts", prompts,
            "--seeds", "1", "--device", "cpu"]));
    }

    [Fact]
    public async Task Train_evaluator_writes_a_loadable_classifier()
    {
        using var scratch = new ScratchFolder();
        var output = scratch.File("evaluator");

        Assert.Equal(0, await CliApplication.RunAsync(["train-evaluator", "--output", output, "--steps", "2", "--batch-size", "4",
            "--validation-images", "8", "--device", "cpu"]));

        using var classifier = ShapesClassifier.FromPretrained(output);
        Assert.Equal(64, classifier.Config.ImageSize);
    }
}

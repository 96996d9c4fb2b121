using System.Globalization;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.ShapesWorld.Evaluation;

namespace DiffusionTune.Cli.Commands.Evaluate;

/// <summary>The console summary of an <c>evaluate</c> run: adherence per prompt, then the overall figures (and drift).</summary>
static class EvaluationTables
{
    const string NotJudged = "-";

    public static void Write(ModelEvaluation model, ModelEvaluation? reference, ModelComparison? comparison)
    {
        WritePerPrompt("Prompt adherence: model", model);
        if (reference is not null) WritePerPrompt("Prompt adherence: reference", reference);

        var headers = reference is null ? new[] { "overall", "model" } : ["overall", "model", "reference", "change"];
        var summary = new ResultTable("Overall", headers);
        foreach (var attribute in SceneLabels.Attributes)
        {
            var modelCount = model.Adherence.PerAttribute.GetValueOrDefault(attribute);
            if (modelCount.Judged == 0) continue;
            if (reference is null)
            {
                summary.AddRow(Label(attribute), Rate(modelCount));
                continue;
            }
            summary.AddRow(Label(attribute), Rate(modelCount), Rate(reference.Adherence.PerAttribute[attribute]), Change(comparison!.AdherenceChange[attribute]));
        }
        if (reference is null)
        {
            summary.AddRow("all stated", Rate(model.Adherence.AllStated));
            summary.AddRow("diversity", Number(model.Diversity));
        }
        else
        {
            summary.AddRow("all stated", Rate(model.Adherence.AllStated), Rate(reference.Adherence.AllStated), Change(comparison!.AllStatedChange));
            summary.AddRow("diversity", Number(model.Diversity), Number(reference.Diversity), Signed(comparison.DiversityChange));
            summary.AddRow("Fréchet distance", Number(comparison.FrechetDistance), "", "");
        }
        summary.Write();
    }

    static void WritePerPrompt(string title, ModelEvaluation evaluation)
    {
        var table = new ResultTable(title, ["prompt", .. SceneLabels.Attributes.Select(Label), "all stated", "diversity"]);
        foreach (var prompt in evaluation.Prompts)
        {
            var cells = SceneLabels.Attributes.Select(a => prompt.Adherence.PerAttribute.TryGetValue(a, out var count) ? Rate(count) : NotJudged);
            table.AddRow([prompt.Prompt.Text, .. cells, Rate(prompt.Adherence.AllStated), Number(prompt.Diversity)]);
        }
        table.Write();
    }

    static string Label(SceneAttribute attribute) => SceneAttributes.Name(attribute).Replace('_', ' ');

    static string Rate(AdherenceCount count) => count.Judged == 0 ? NotJudged : count.Rate.ToString("P0", CultureInfo.InvariantCulture);

    static string Change(double change) => double.IsFinite(change) ? (change * 100).ToString("+0;-0;0", CultureInfo.InvariantCulture) + " pts" : NotJudged;

    static string Number(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    static string Signed(double value) => value.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);
}

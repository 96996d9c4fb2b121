using System.Globalization;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Workflows.Damage;
using Spectre.Console;

namespace DiffusionTune.Cli.Rendering;

/// <summary>
/// The console view of a <see cref="DamageReport"/>: prediction drift over everything, per timestep and per UNet
/// block, general prompts beside concept prompts; the evaluator's figures when there are any; one line of figures
/// that says how targeted the change is, and the plain sentence of <see cref="DriftVerdict"/>.
/// </summary>
public static class DamageTables
{
    const int MostChangedPrompts = 3;

    public static void Write(DamageReport report)
    {
        var general = report.General;
        var concept = report.Concept;
        string[] headers = concept is null ? ["noise prediction", "general MSE", "general rel."] : ["noise prediction", "general MSE", "general rel.", "concept MSE", "concept rel."];
        var drift = new ResultTable("Prediction drift: mean squared difference from the base, and relative to the base's own mean square", headers);
        drift.AddRow(Row("all timesteps", general.Total, concept?.Total));
        for (int t = 0; t < general.Timesteps.Count; t++)
            drift.AddRow(Row($"t = {general.Timesteps[t].Timestep}", general.Timesteps[t].Drift, concept?.Timesteps[t].Drift));
        for (int b = 0; b < general.Blocks.Count; b++)
            drift.AddRow(Row($"{general.Blocks[b].Block} output", general.Blocks[b].Drift, concept?.Blocks[b].Drift));
        drift.Write();

        var mostChanged = new ResultTable($"General prompts that drifted most (of {general.PerPrompt.Count})", "prompt", "MSE", "rel.");
        foreach (var prompt in general.PerPrompt.OrderByDescending(p => p.Drift.Relative).Take(MostChangedPrompts))
            mostChanged.AddRow(prompt.Prompt.Length == 0 ? "(empty prompt)" : prompt.Prompt, Mse(prompt.Drift), Percent(prompt.Drift.Relative));
        mostChanged.Write();

        if (report.Evaluation is { } evaluation) WriteEvaluation(evaluation);
        AnsiConsole.MarkupLine(Markup.Escape(Summary(report)));
        AnsiConsole.WriteLine(DriftVerdict.For(report.General.Total.Relative, report.Concept?.Total.Relative));
    }

    /// <summary>One sentence: concept change against general drift.</summary>
    public static string Summary(DamageReport report)
    {
        var general = Percent(report.General.Total.Relative);
        if (report.Concept is not { } concept) return $"General drift: {general} of the base's noise predictions.";
        var targeted = report.ConceptToGeneral is { } ratio ? $"; the change is {ratio.ToString("G3", CultureInfo.InvariantCulture)}× larger on the concept than elsewhere" : "";
        return $"Concept change {Percent(concept.Total.Relative)} vs general drift {general} of the base's noise predictions{targeted}.";
    }

    static void WriteEvaluation(EvaluatorDamage evaluation)
    {
        string[] headers = evaluation.Concept is null ? ["evaluator (tuned − base)", "general"] : ["evaluator (tuned − base)", "general", "concept"];
        var table = new ResultTable($"Evaluator: {evaluation.Seeds} images per prompt, {evaluation.Steps} {evaluation.Sampler} steps, CFG {evaluation.Cfg.ToString(CultureInfo.InvariantCulture)}", headers);
        var attributes = evaluation.General.AdherenceChange.Keys.Concat(evaluation.Concept?.AdherenceChange.Keys ?? []).Distinct();
        foreach (var attribute in attributes)
        {
            table.AddRow([$"{attribute.Replace('_', ' ')} adherence", .. Cells(evaluation, drift => drift.AdherenceChange.TryGetValue(attribute, out var change) ? Points(change) : "-")]);
        }
        table.AddRow(["all stated", .. Cells(evaluation, drift => Points(drift.AllStatedChange))]);
        table.AddRow(["diversity", .. Cells(evaluation, drift => drift.DiversityChange.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture))]);
        table.AddRow(["Fréchet distance", .. Cells(evaluation, drift => drift.FrechetDistance.ToString("F3", CultureInfo.InvariantCulture))]);
        table.Write();
    }

    static IEnumerable<string> Cells(EvaluatorDamage evaluation, Func<EvaluatorDrift, string> cell) =>
        evaluation.Concept is null ? [cell(evaluation.General)] : [cell(evaluation.General), cell(evaluation.Concept)];

    static string[] Row(string label, DriftFigure general, DriftFigure? concept) => concept is null
        ? [label, Mse(general), Percent(general.Relative)]
        : [label, Mse(general), Percent(general.Relative), Mse(concept), Percent(concept.Relative)];

    static string Mse(DriftFigure figure) => figure.MeanSquaredError.ToString("G3", CultureInfo.InvariantCulture);

    static string Percent(double share) => (share * 100).ToString("G3", CultureInfo.InvariantCulture) + "%";

    static string Points(double change) => double.IsFinite(change) ? (change * 100).ToString("+0;-0;0", CultureInfo.InvariantCulture) + " pts" : "-";
}

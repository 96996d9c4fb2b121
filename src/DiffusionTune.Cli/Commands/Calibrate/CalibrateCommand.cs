using System.Globalization;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Diffusion.Calibration;
using DiffusionTune.Diffusion.Damage;
using DiffusionTune.Workflows.Calibration;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Calibrate;

/// <summary>Runs a calibration (<see cref="CalibrationJob"/>) and prints its curve, its choice and where it wrote them.</summary>
public static class CalibrateCommand
{
    public static int Run(CalibrateRequest request, CancellationToken cancellation)
    {
        var outcome = ConsoleReporter.Run(reporter => CalibrationJob.Run(request, reporter, cancellation));
        WriteTables(outcome.Result);
        AnsiConsole.MarkupLineInterpolated($"Report [bold]{outcome.ReportPath}[/], plot [bold]{outcome.PlotPath}[/]{(outcome.Written is null ? "; nothing written" : "")}");
        AnsiConsole.WriteLine(CalibrationVerdict.For(outcome.Result));
        return CommandRunner.Success;
    }

    static void WriteTables(CalibrationResult result)
    {
        var curve = new ResultTable("global α: concept fidelity against general drift", "α", "general drift", "concept fidelity", "within budget");
        foreach (var point in result.Points.Where(p => p.Phase == CalibrationPhase.Global).OrderBy(p => p.Weights.Global))
            curve.AddRow(point.Weights.Global.ToString("0.####", CultureInfo.InvariantCulture), Percent(point.GeneralDrift), Percent(point.ConceptFidelity), point.Within(result.Limit) ? "yes" : "no");
        curve.Write();
        var summary = new ResultTable($"calibration (budget {Percent(result.Limit)} general drift)", "model", "strengths", "general drift", "concept fidelity");
        summary.AddRow("base", "0", Percent(0), Percent(0));
        summary.AddRow("tuned", "1", Percent(result.Tuned.GeneralDrift), Percent(1));
        summary.AddRow("calibrated", result.Chosen.Weights.ToString(), Percent(result.Chosen.GeneralDrift), Percent(result.Chosen.ConceptFidelity));
        summary.Write();
    }

    /// <summary>Two significant digits: tiny drifts stay visible (0.00044%, not 0%) and nothing reads more precise than it is.</summary>
    static string Percent(double value) => DriftVerdict.Percent(value);
}

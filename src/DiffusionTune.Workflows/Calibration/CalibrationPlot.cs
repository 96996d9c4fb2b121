using DiffusionTune.Diffusion.Calibration;
using DiffusionTune.IO.Images;
using SkiaSharp;

namespace DiffusionTune.Workflows.Calibration;

/// <summary>The fidelity-vs-drift curve of a calibration: the global sweep as a line, per-block points, the tuned model, the budget and the chosen point.</summary>
public static class CalibrationPlot
{
    /// <summary>Writes the plot as a PNG at <paramref name="path"/> (replacing an older one).</summary>
    public static void Write(CalibrationResult result, string path)
    {
        static (double, double) Percent(CalibrationPoint p) => (p.GeneralDrift * 100, p.ConceptFidelity * 100);
        var plot = new ScatterPlot("calibration: concept fidelity against general drift", "general drift (% of the base prediction)", "concept fidelity (%)");
        var global = result.Points.Where(p => p.Phase == CalibrationPhase.Global).OrderBy(p => p.Weights.Global).Select(Percent).ToList();
        plot.Add(new ScatterPlot.Series("global alpha 0..1", global, new SKColor(40, 90, 200), Joined: true));
        var perBlock = result.Points.Where(p => p.Phase == CalibrationPhase.PerBlock).Select(Percent).ToList();
        if (perBlock.Count > 0) plot.Add(new ScatterPlot.Series("per-block", perBlock, new SKColor(150, 150, 150)));
        plot.Add(new ScatterPlot.Series("tuned", [Percent(result.Tuned)], new SKColor(230, 120, 0), Radius: 6));
        plot.Add(new ScatterPlot.Series("chosen", [Percent(result.Chosen)], new SKColor(210, 30, 30), Radius: 7));
        plot.Add(new ScatterPlot.VerticalLine("budget", result.Limit * 100, new SKColor(210, 30, 30)));
        using var bitmap = plot.Render();
        PngWriter.Write(path, bitmap, overwrite: true);
    }
}

using System.Globalization;
using SkiaSharp;

namespace DiffusionTune.IO.Images;

/// <summary>
/// A small x/y chart drawn with Skia and <see cref="BitmapFont"/> (so it renders on machines without fonts): labelled
/// axes with round ticks, point series (optionally joined in order), and vertical marker lines such as a limit.
/// </summary>
public sealed class ScatterPlot(string title, string xLabel, string yLabel)
{
    /// <summary>Points drawn in one colour; joined by a line in their order when <see cref="Joined"/>.</summary>
    public sealed record Series(string Label, IReadOnlyList<(double X, double Y)> Points, SKColor Color, int Radius = 3, bool Joined = false);

    /// <summary>A vertical line at <see cref="X"/>.</summary>
    public sealed record VerticalLine(string Label, double X, SKColor Color);

    const int Scale = 2;
    const int Width = 900, Height = 600;
    const int Left = 110, Right = 30, Top = 60, Bottom = 80;

    readonly List<Series> _series = [];
    readonly List<VerticalLine> _lines = [];

    public void Add(Series series) => _series.Add(series);

    public void Add(VerticalLine line) => _lines.Add(line);

    /// <summary>Draws the chart; axes span every point and line, from 0 when all values are non-negative.</summary>
    public SKBitmap Render()
    {
        var xs = _series.SelectMany(s => s.Points.Select(p => p.X)).Concat(_lines.Select(l => l.X)).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var ys = _series.SelectMany(s => s.Points.Select(p => p.Y)).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var (xMin, xMax, xStep) = Axis(xs);
        var (yMin, yMax, yStep) = Axis(ys);
        float X(double x) => (float)(Left + (x - xMin) / (xMax - xMin) * (Width - Left - Right));
        float Y(double y) => (float)(Height - Bottom - (y - yMin) / (yMax - yMin) * (Height - Top - Bottom));

        var bitmap = new SKBitmap(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var grid = new SKPaint { Color = new SKColor(225, 225, 225), StrokeWidth = 1, IsAntialias = true };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 2, IsAntialias = true };
        for (double x = xMin; x <= xMax + xStep / 2; x += xStep)
        {
            canvas.DrawLine(X(x), Top, X(x), Height - Bottom, grid);
            Centred(canvas, Tick(x, xStep), X(x), Height - Bottom + 8, SKColors.Black);
        }
        for (double y = yMin; y <= yMax + yStep / 2; y += yStep)
        {
            canvas.DrawLine(Left, Y(y), Width - Right, Y(y), grid);
            var label = Tick(y, yStep);
            BitmapFont.Draw(canvas, label, Left - 8 - BitmapFont.Measure(label, Scale).Width, (int)Y(y) - BitmapFont.GlyphHeight * Scale / 2, Scale, SKColors.Black);
        }
        canvas.DrawLine(Left, Height - Bottom, Width - Right, Height - Bottom, axis);
        canvas.DrawLine(Left, Top, Left, Height - Bottom, axis);
        Centred(canvas, xLabel, (Left + Width - Right) / 2f, Height - Bottom + 40, SKColors.Black);
        BitmapFont.Draw(canvas, yLabel, 10, Top - 30, Scale, SKColors.Black);
        Centred(canvas, title, Width / 2f, 10, SKColors.Black);

        foreach (var line in _lines)
        {
            using var paint = new SKPaint { Color = line.Color, StrokeWidth = 2, IsAntialias = true, PathEffect = SKPathEffect.CreateDash([8, 6], 0) };
            canvas.DrawLine(X(line.X), Top, X(line.X), Height - Bottom, paint);
            BitmapFont.Draw(canvas, line.Label, (int)X(line.X) + 6, Height - Bottom - BitmapFont.GlyphHeight * Scale - 6, Scale, line.Color);
        }
        // The legend sits at the lower right, on white, above the line labels: rising curves leave that corner empty.
        int rowHeight = BitmapFont.GlyphHeight * Scale + 8;
        int legendWidth = _series.Select(s => BitmapFont.Measure(s.Label, Scale).Width).DefaultIfEmpty(0).Max() + 40;
        int legendTop = Height - Bottom - 40 - rowHeight * _series.Count;
        using (var backdrop = new SKPaint { Color = SKColors.White.WithAlpha(230), Style = SKPaintStyle.Fill })
            canvas.DrawRect(Width - Right - legendWidth, legendTop - 6, legendWidth, rowHeight * _series.Count + 6, backdrop);
        foreach (var series in _series)
        {
            using var paint = new SKPaint { Color = series.Color, StrokeWidth = 2, IsAntialias = true };
            if (series.Joined)
            {
                foreach (var (from, to) in series.Points.Zip(series.Points.Skip(1)))
                    canvas.DrawLine(X(from.X), Y(from.Y), X(to.X), Y(to.Y), paint);
            }
            foreach (var (x, y) in series.Points) canvas.DrawCircle(X(x), Y(y), series.Radius, paint);
            int legendLeft = Width - Right - 12 - BitmapFont.Measure(series.Label, Scale).Width;
            canvas.DrawCircle(legendLeft - 12, legendTop + BitmapFont.GlyphHeight * Scale / 2f, series.Radius, paint);
            BitmapFont.Draw(canvas, series.Label, legendLeft, legendTop, Scale, series.Color);
            legendTop += BitmapFont.GlyphHeight * Scale + 8;
        }
        return bitmap;
    }

    static void Centred(SKCanvas canvas, string text, float centre, float top, SKColor color) =>
        BitmapFont.Draw(canvas, text, (int)(centre - BitmapFont.Measure(text, Scale).Width / 2f), (int)top, Scale, color);

    /// <summary>A range that holds <paramref name="values"/>, with 4–10 ticks at 1, 2 or 5 × a power of ten.</summary>
    static (double Min, double Max, double Step) Axis(IReadOnlyList<double> values)
    {
        double low = Math.Min(0, values.Min()), high = values.Max();
        if (high - low < 1e-12) high = low + 1;
        double rough = (high - low) / 6, power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double step = new[] { 1, 2, 5, 10 }.Select(m => m * power).First(s => s >= rough);
        return (Math.Floor(low / step) * step, Math.Ceiling(high / step) * step, step);
    }

    static string Tick(double value, double step)
    {
        int decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(step)));
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}

using DiffusionTune.IO;
using DiffusionTune.IO.Images;
using DiffusionTune.ShapesWorld;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Shapes;

/// <summary>Renders a seeded set of shapes-world scenes restricted to the chosen attributes, as PNG + caption pairs.</summary>
public static class ShapesRenderCommand
{
    public static int Run(ShapesRenderSettings settings, CancellationToken cancellation)
    {
        if (settings.Count < 1 || settings.Size < 8) throw new ArgumentException("--count must be at least 1 and --size at least 8");
        var options = new SceneSamplerOptions
        {
            Shapes = Parse<Shape>(settings.Shapes, "--shape") ?? SceneSamplerOptions.Pretraining.Shapes,
            Colors = Parse<NamedColor>(settings.Colors, "--color") ?? SceneSamplerOptions.Pretraining.Colors,
            Patterns = Parse<BackgroundPattern>(settings.Patterns, "--pattern") ?? SceneSamplerOptions.Pretraining.Patterns,
            BackgroundColors = Parse<NamedColor>(settings.BackgroundColors, "--background-color") ?? SceneSamplerOptions.Pretraining.BackgroundColors,
            Styles = Parse<RenderStyle>(settings.Styles, "--style") ?? SceneSamplerOptions.Pretraining.Styles,
        };
        var dataset = new ShapesWorldDataset(settings.Seed, options, settings.Size, identifier: settings.Identifier);
        Folders.Create(settings.Output);
        for (int i = 0; i < settings.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var sample = dataset.Get(i);
            var stem = Path.Combine(settings.Output, $"{i:D4}");
            PngWriter.Write(stem + ".png", sample.Image, overwrite: true);
            AtomicFile.WriteAllText(stem + ".txt", sample.Caption.Text);
        }
        AnsiConsole.MarkupLineInterpolated($"Wrote {settings.Count} image(s) with captions to [bold]{Path.GetFullPath(settings.Output)}[/]");
        return CommandRunner.Success;
    }

    static IReadOnlyList<T>? Parse<T>(string[] values, string option) where T : struct, Enum
    {
        if (values.Length == 0) return null;
        return values.Select(v => Enum.TryParse<T>(v, ignoreCase: true, out var value)
            ? value
            : throw new ArgumentException($"{option} '{v}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}")).ToArray();
    }
}

using System.CommandLine;

namespace DiffusionTune.Cli.Commands.Shapes;

/// <summary>The <c>shapes render</c> verb: writes shapes-world images with captions, e.g. a subject to fine-tune on.</summary>
public static class ShapesCommandDefinition
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "Folder to write the images (PNG) and captions (.txt) into", Required = true };
        var count = new Option<int>("--count", "-n") { Description = "Number of images", DefaultValueFactory = _ => 5 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the scenes", DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--size") { Description = "Image width and height in pixels", DefaultValueFactory = _ => 64 };
        var shapes = Values("--shape", "Allowed shapes (repeatable; default all)");
        var colors = Values("--color", "Allowed shape colours (repeatable; default all)");
        var patterns = Values("--pattern", "Allowed background patterns (repeatable; default all)");
        var backgrounds = Values("--background-color", "Allowed background colours (repeatable; default all)");
        var styles = Values("--style", "Allowed styles (repeatable; default the pretraining ones; the held-out ones are face, outlineonly, pixelart)");
        var identifier = new Option<string?>("--identifier") { Description = "Rare identifier put before the shape noun in the captions (sks, ohwx, zwx, qxv)" };
        var render = new Command("render", "Render shapes-world images with captions")
        {
            output, count, seed, size, shapes, colors, patterns, backgrounds, styles, identifier,
        };
        render.SetAction((result, cancellation) => CommandRunner.RunAsync(token => Task.FromResult(ShapesRenderCommand.Run(new ShapesRenderSettings(
            result.GetValue(output)!, result.GetValue(count), result.GetValue(seed), result.GetValue(size),
            result.GetValue(shapes)!, result.GetValue(colors)!, result.GetValue(patterns)!, result.GetValue(backgrounds)!,
            result.GetValue(styles)!, result.GetValue(identifier)), token)), cancellation));
        return new Command("shapes", "The procedural shapes world of the embedded model") { render };
    }

    static Option<string[]> Values(string name, string description) =>
        new(name) { Description = description, DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true };
}

public sealed record ShapesRenderSettings(string Output, int Count, ulong Seed, int Size, string[] Shapes, string[] Colors,
    string[] Patterns, string[] BackgroundColors, string[] Styles, string? Identifier);

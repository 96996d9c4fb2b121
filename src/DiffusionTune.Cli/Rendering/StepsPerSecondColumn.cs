using Spectre.Console;
using Spectre.Console.Rendering;

namespace DiffusionTune.Cli.Rendering;

/// <summary>A progress column with the task's speed in steps per second ("1.24 it/s").</summary>
public sealed class StepsPerSecondColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text(task.Speed is double speed ? $"{speed:F2} it/s" : "– it/s", new Style(Color.Grey));
}

using System.Text.Json;
using DiffusionTune.IO.Images;
using DiffusionTune.Web.Jobs;
using DiffusionTune.Workflows.Reporting;
using SkiaSharp;

namespace DiffusionTune.Tests.Web;

/// <summary>
/// The tests' job kind: counts <c>steps</c> steps (each <c>step_ms</c> long), reporting progress, a message, a warning
/// and an image (its own, or the one <c>image_path</c> names); <c>fail</c> makes it throw; on cancellation it "saves" (writes saved.txt) and stops. It records how
/// many of its jobs run at once, so the one-per-device rule can be checked.
/// </summary>
sealed class StepsJobKind : IJobKind
{
    public const string Name = "test-steps";

    int _running;

    /// <summary>The most jobs of this kind seen running at the same time.</summary>
    public int MostAtOnce { get; private set; }

    public sealed record Settings(int Steps, int StepMs = 0, bool Fail = false, string? ImagePath = null);

    public string Kind => Name;

    public void Validate(JsonElement settings)
    {
        if (!settings.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Number || steps.GetInt32() < 1)
            throw new ArgumentException("settings.steps: a positive number of steps is needed");
    }

    public async Task RunAsync(JobContext context, IWorkflowReporter reporter, CancellationToken cancellation)
    {
        var settings = context.SettingsAs<Settings>();
        lock (this) MostAtOnce = Math.Max(MostAtOnce, ++_running);
        try
        {
            var savedFile = Path.Combine(context.Folder, "saved.txt");
            var start = context.IsResume && File.Exists(savedFile) ? int.Parse(File.ReadAllText(savedFile)) : 0;
            reporter.Message(context.IsResume ? $"resuming at step {start}" : "starting");
            var progress = reporter.Start("counting", settings.Steps, start);
            for (int step = start; step < settings.Steps; step++)
            {
                if (cancellation.IsCancellationRequested)
                {
                    File.WriteAllText(savedFile, step.ToString());
                    reporter.Message($"saved at step {step}");
                    cancellation.ThrowIfCancellationRequested();
                }
                if (settings.StepMs > 0)
                {
                    try
                    {
                        await Task.Delay(settings.StepMs, cancellation);
                    }
                    catch (OperationCanceledException)
                    {
                        // Checked at the top of the next step, where it saves.
                    }
                }
                progress.Advance(step + 1, $"step {step + 1}");
            }
            progress.Finish("counted");
            if (settings.Fail) throw new InvalidDataException("the test job was told to fail");
            reporter.Warning("a warning for the log");
            if (settings.ImagePath is { } claimed)
            {
                reporter.ImageReady(claimed, "an image somewhere else");
                return;
            }
            using var bitmap = new SKBitmap(new SKImageInfo(4, 4, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            bitmap.Erase(SKColors.Red);
            var image = Path.Combine(context.Folder, "result.png");
            PngWriter.Write(image, bitmap, overwrite: true);
            reporter.ImageReady(image, "the result");
        }
        finally
        {
            lock (this) _running--;
        }
    }
}

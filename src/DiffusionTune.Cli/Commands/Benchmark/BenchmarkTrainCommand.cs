using System.Diagnostics;
using System.Text.Json;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Contracts;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Training.Engine;
using DiffusionTune.Workflows.Plugins;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>
/// Times real training steps of trainer plugins through the engine (forward, backward, clipping, AdamW with fp32
/// master weights, EMA off), with random latents instead of data loading, and records peak resident memory.
/// </summary>
public static class BenchmarkTrainCommand
{
    public sealed record Figures(string Trainer, string Precision, long TrainedParameters, double SecondsPerStep, long PeakBytes);

    public static int Run(BenchmarkTrainSettings settings)
    {
        if (settings.Steps < 1 || settings.Batch < 1) throw new ArgumentException("--steps and --batch must be at least 1");
        var device = ComputeDevice.Resolve(settings.Device);
        var catalog = PluginRoots.LoadWithWarnings(settings.PluginFolders, ConsoleReporter.Lines);
        var results = new List<Figures>();
        foreach (var precision in settings.Precisions)
        {
            var dtype = Precision.Resolve(precision, device);
            foreach (var trainerName in settings.Trainers)
            {
                var trainer = catalog.Find(trainerName);
                AnsiConsole.MarkupLineInterpolated($"{settings.Config}, {trainer.Info.Name}, {Precision.NameOf(dtype)}: building the model …");
                using var model = BenchmarkModel.Build(settings.Config, device, dtype);
                using var memory = new PeakMemory();
                var folder = Path.Combine(Path.GetTempPath(), "diffusiontune-benchmark", Guid.NewGuid().ToString("N"));
                using var run = new TrainerRun(trainer.Trainer, TrainerOptionParser.Parse(trainer.Info, new Dictionary<string, string>()), model,
                    new EngineSettings { Steps = settings.Steps + 1, LearningRate = 1e-5, GradientCheckpointing = settings.GradientCheckpointing, OptimizerMoments = settings.OptimizerMoments },
                    new RandomLatentBatches(settings.Batch, model.Unet.Config.InChannels, settings.LatentSize, device),
                    new RunOutput(folder, folder, "benchmark", ModelOutputFormat.Diffusers),
                    new ConceptDescription("a photo of sks star", "sks", "star"), new ConsoleLog(), new Dictionary<string, string>());
                model.Unet.GradientCheckpointing = settings.GradientCheckpointing;
                var times = new double[settings.Steps];
                for (int step = 0; step <= settings.Steps; step++)
                {
                    var watch = Stopwatch.StartNew();
                    using (NewDisposeScope()) run.Step(step);
                    if (device.type == DeviceType.CUDA) cuda.synchronize();
                    if (step > 0) times[step - 1] = watch.Elapsed.TotalSeconds;
                }
                Array.Sort(times);
                results.Add(new Figures(trainer.Info.Name, Precision.NameOf(dtype), run.TrainedParameterCount, times[times.Length / 2], memory.PeakBytes));
            }
        }
        Render(settings, results);
        if (settings.Json is not null)
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(new { settings, results }, new JsonSerializerOptions { WriteIndented = true }));
        return CommandRunner.Success;
    }

    static void Render(BenchmarkTrainSettings settings, List<Figures> results)
    {
        AnsiConsole.MarkupLineInterpolated($"{settings.Config}, latents {settings.Batch}×4×{settings.LatentSize}×{settings.LatentSize}, gradient checkpointing {(settings.GradientCheckpointing ? "on" : "off")}, AdamW moments {settings.OptimizerMoments.ToString().ToLowerInvariant()}, {get_num_threads()} threads");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("trainer").AddColumn("precision")
            .AddColumn(new TableColumn("trained parameters").RightAligned()).AddColumn(new TableColumn("s / step").RightAligned())
            .AddColumn(new TableColumn("peak RSS").RightAligned());
        foreach (var r in results)
            table.AddRow(Markup.Escape(r.Trainer), r.Precision, $"{r.TrainedParameters:N0}", $"{r.SecondsPerStep:F2}", $"{r.PeakBytes / (double)(1L << 30):F2} GiB");
        AnsiConsole.Write(table);
    }

    sealed class ConsoleLog : ITrainingLog
    {
        public void Info(string message) => AnsiConsole.MarkupLineInterpolated($"  {message}");

        public void Warning(string message) => AnsiConsole.MarkupLineInterpolated($"  [yellow]warning:[/] {message}");

        public void Scalar(string name, double value, int step) { }
    }
}

using System.Diagnostics;
using System.Globalization;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Models.Kernels;
using DiffusionTune.Models.Runtime;
using DiffusionTune.ShapesWorld;
using DiffusionTune.ShapesWorld.Evaluation;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.TrainEvaluator;

/// <summary>
/// Trains a <see cref="ShapesClassifier"/> with a progress bar, measures it on held-out renders, prints the accuracy
/// of each head and saves it with that accuracy in the weights file's metadata.
/// </summary>
public static class TrainEvaluatorCommand
{
    public const int DefaultValidationImages = 2000;

    /// <summary>The accuracy every head of a usable evaluator reaches on held-out renders; below it the command warns.</summary>
    public const double AccuracyBar = 0.98;

    public static int Run(string outputFolder, int validationImages, string deviceSpec, string precisionSpec,
        Func<ClassifierTrainingSettings, ClassifierTrainingSettings> configure, CancellationToken cancellation)
    {
        if (validationImages < 1) throw new ArgumentException("--validation-images must be at least 1");
        var device = ComputeDevice.Resolve(deviceSpec);
        var settings = configure(new ClassifierTrainingSettings { Device = device, Dtype = Precision.Resolve(precisionSpec, device, CommandRunner.WriteWarning) });
        settings.Validate();
        // It builds its model rather than loading one, so it runs the check that loading a model runs.
        HostKernelCheck.EnsureRight(settings.Device, settings.Dtype);
        var folder = Path.GetFullPath(outputFolder);

        var watch = Stopwatch.StartNew();
        ShapesClassifier? classifier = null;
        ConsoleReporter.Run(reporter =>
        {
            var task = reporter.Start("training", settings.Steps);
            double smoothedLoss = double.NaN;
            classifier = ShapesClassifierTrainer.Train(settings, progress: (done, total, loss) =>
            {
                smoothedLoss = double.IsNaN(smoothedLoss) ? loss : 0.95 * smoothedLoss + 0.05 * loss;
                task.Advance(done, $"loss {smoothedLoss:F3}");
                if (done == total) task.Finish($"done, loss {smoothedLoss:F3}");
            }, cancellation: cancellation);
        });
        double trainingSeconds = watch.Elapsed.TotalSeconds;
        using var trained = classifier!;

        AnsiConsole.MarkupLineInterpolated($"Measuring on {validationImages} held-out renders (seed {settings.HeldOutSeed}) …");
        var accuracy = ClassifierAccuracy.Measure(trained, new ShapesWorldDataset(settings.HeldOutSeed, ShapesClassifierTrainer.AllStyles, trained.Config.ImageSize), validationImages);
        var table = new ResultTable($"Held-out accuracy ({validationImages} images)", "head", "accuracy");
        foreach (var (attribute, value) in accuracy.PerAttribute) table.AddRow(SceneAttributes.Name(attribute), value.ToString("P2", CultureInfo.InvariantCulture));
        table.Write();

        var metadata = new Dictionary<string, string>
        {
            ["diffusiontune.training_seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
            ["diffusiontune.training_steps"] = settings.Steps.ToString(CultureInfo.InvariantCulture),
            ["diffusiontune.training_batch_size"] = settings.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["diffusiontune.held_out_seed"] = settings.HeldOutSeed.ToString(CultureInfo.InvariantCulture),
            ["diffusiontune.held_out_images"] = validationImages.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (attribute, value) in accuracy.PerAttribute)
            metadata[$"diffusiontune.held_out_accuracy.{SceneAttributes.Name(attribute)}"] = value.ToString("F4", CultureInfo.InvariantCulture);
        trained.SavePretrained(folder, metadata);

        AnsiConsole.MarkupLineInterpolated($"Trained in {trainingSeconds:F0} s; saved to [bold]{folder}[/]");
        if (accuracy.Worst < AccuracyBar)
            CommandRunner.WriteWarning($"the weakest head is at {accuracy.Worst:P2}, under the {AccuracyBar:P0} an evaluator should reach; train for more steps");
        return CommandRunner.Success;
    }
}

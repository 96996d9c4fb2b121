using System.Globalization;
using DiffusionTune.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Loop;

/// <summary>
/// What a run that diverged says: which value was not finite (the loss, or the gradient norm, each with its own value),
/// which parameter's gradient first was not, the step, the last good checkpoint, and what to try for this run's
/// precision and device.
/// </summary>
static class DivergenceMessage
{
    /// <param name="stepNumber">The step that diverged, counted from 1.</param>
    /// <param name="lastCheckpoint">The newest checkpoint, all of whose steps were finite; null when none was saved.</param>
    public static string For(ITrainingRun run, int stepNumber, StepResult result, (int Step, string Folder)? lastCheckpoint)
    {
        bool lossFinite = double.IsFinite(result.Loss);
        bool firstStep = stepNumber == 1;
        var parts = new List<string>
        {
            $"{run.Name}: step {stepNumber} gave a non-finite " +
            (lossFinite ? $"gradient norm ({Number(result.GradientNorm)}) from a finite loss ({Number(result.Loss)})" : $"loss ({Number(result.Loss)})") + ".",
        };
        if (result.NonFiniteGradients is { } gradients)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"Non-finite gradients are in {gradients.Parameters} of the {gradients.TrainedParameters} trained parameters; " +
                $"the first is '{gradients.FirstParameter}' ({gradients.FirstParameterNonFinite:N0} of its {gradients.FirstParameterElements:N0} elements)."));
        }
        parts.Add(lastCheckpoint is { } good ? $"The last good checkpoint is {good.Folder} (step {good.Step})." : "No checkpoint was saved yet.");
        if (firstStep) parts.Add("No update had been made yet, so the learning rate is not the cause.");
        parts.Add($"Try: {string.Join("; ", Advice(run, firstStep, lossFinite, result.LearningRate))}.");
        return string.Join(" ", parts);
    }

    static IEnumerable<string> Advice(ITrainingRun run, bool firstStep, bool lossFinite, double learningRate)
    {
        bool lowPrecision = run.ComputeDtype is ScalarType.BFloat16 or ScalarType.Float16;
        // Before any update the weights are as loaded, so the kernels (and the data) are the suspects, not training.
        if (run.DeviceType == DeviceType.CPU && (lowPrecision || firstStep))
        {
            yield return $"run `diffusiontune doctor`, which checks this host's CPU kernels in {Precision.NameOf(run.ComputeDtype)}" +
                (lowPrecision ? ", or train with `--precision fp32`" : "");
        }
        if (run.ComputeDtype == ScalarType.Float16) yield return "train with `--precision bf16`, whose range is fp32's (fp16 overflows above 65504)";
        if (!firstStep)
            yield return $"lower the learning rate (this step's was {Number(learningRate)})";
        else if (lossFinite)
            yield return "check the trainer's loss for a square root or logarithm at zero (its gradient is infinite there)";
        else
            yield return "check the training images and the model file for NaN or infinite values";
    }

    static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}

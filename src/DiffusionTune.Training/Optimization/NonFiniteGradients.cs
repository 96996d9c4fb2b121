using static TorchSharp.torch;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// Where a step's gradients stopped being finite: the first trained parameter (in the optimizer's order, which is the
/// trainer's) whose gradient holds NaN or ±∞, how much of it does, and how many parameters are affected.
/// </summary>
/// <param name="FirstParameter">The trainer's name for that parameter (its state-dict key).</param>
/// <param name="FirstParameterNonFinite">How many elements of its gradient are NaN or ±∞.</param>
/// <param name="FirstParameterElements">How many elements its gradient has.</param>
/// <param name="Parameters">How many trained parameters have a non-finite gradient.</param>
/// <param name="TrainedParameters">How many parameters the optimizer trains.</param>
public sealed record NonFiniteGradients(string FirstParameter, long FirstParameterNonFinite, long FirstParameterElements,
    int Parameters, int TrainedParameters)
{
    /// <summary>
    /// Reads every gradient once more: called only after the gradient norm came out non-finite (and before the
    /// gradients are released), so good steps never pay for it. Null when every gradient is finite.
    /// </summary>
    internal static NonFiniteGradients? Find(IReadOnlyList<AdamWParameter> parameters)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        (string Name, long NonFinite, long Elements)? first = null;
        int affected = 0;
        foreach (var parameter in parameters)
        {
            if (parameter.Model.grad is not { } gradient) continue;
            long nonFinite = gradient.numel() - gradient.isfinite().sum().item<long>();
            if (nonFinite == 0) continue;
            affected++;
            first ??= (parameter.Name, nonFinite, gradient.numel());
        }
        return first is { } found ? new NonFiniteGradients(found.Name, found.NonFinite, found.Elements, affected, parameters.Count) : null;
    }
}

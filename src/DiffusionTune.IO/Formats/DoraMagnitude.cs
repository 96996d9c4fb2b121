using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>Which axis of a weight DoRA's magnitude vector runs along.</summary>
public enum DoraAxis
{
    /// <summary>One magnitude per output row, shape <c>[out, 1, …]</c>: LyCORIS' default (<c>wd_on_output</c>).</summary>
    Output,

    /// <summary>One magnitude per input column, shape <c>[1, in, …]</c>: OneTrainer's default.</summary>
    Input,
}

/// <summary>
/// DoRA's weight decomposition for one layer: the adapted weight is renormalised to the stored magnitudes,
/// <c>W' = m · (W₀ + ΔW) / ‖W₀ + ΔW‖</c>, the norm taken per slice along <see cref="Axis"/>. Tools disagree on the axis,
/// so it is read from the stored tensor's shape.
/// </summary>
public sealed class DoraMagnitude : IDisposable
{
    /// <summary>Takes ownership of <paramref name="stored"/> (<c>dora_scale</c>), picking the axis from its shape.</summary>
    /// <exception cref="AdapterShapeException">The shape is neither <c>[out, 1, …]</c> nor <c>[1, in, …]</c> for <paramref name="target"/>.</exception>
    public DoraMagnitude(Tensor stored, AdaptableModule target)
    {
        var shape = stored.shape;
        var broadcast = Enumerable.Repeat(1L, target.WeightShape.Length).ToArray();
        if (shape.Length >= 1 && shape[0] == target.OutFeatures && shape.Skip(1).All(d => d == 1))
        {
            Axis = DoraAxis.Output;
            broadcast[0] = target.OutFeatures;
        }
        else if (shape.Length >= 2 && shape[0] == 1 && shape[1] == target.InFeatures && shape.Skip(2).All(d => d == 1))
        {
            Axis = DoraAxis.Input;
            broadcast[1] = target.InFeatures;
        }
        else
        {
            throw new AdapterShapeException(LoraPart.DoraScale, shape,
                $"which is neither [{target.OutFeatures}, 1, …] (output axis) nor [1, {target.InFeatures}, …] (input axis) for {target} (weight shape {AdaptableModule.FormatShape(target.WeightShape)})");
        }
        Scale = OwnedTensor.Reshaped(stored, broadcast);
    }

    /// <summary>The magnitudes, shaped to broadcast against the weight (<c>[out, 1(, 1, 1)]</c> or <c>[1, in(, 1, 1)]</c>).</summary>
    public Tensor Scale { get; }

    public DoraAxis Axis { get; }

    /// <summary>The magnitudes DoRA starts training from: the norms of <paramref name="weight"/> along <paramref name="axis"/>.</summary>
    public static DoraMagnitude FromWeight(Tensor weight, DoraAxis axis, AdaptableModule target)
    {
        using var _ = no_grad();
        return new DoraMagnitude(Norm(weight.detach().to(ScalarType.Float32), axis).DetachFromDisposeScope(), target);
    }

    /// <summary><c>m · (weight + delta) / ‖weight + delta‖</c> in float32 on <paramref name="weight"/>'s device.</summary>
    public Tensor Apply(Tensor weight, Tensor delta)
    {
        using var scope = NewDisposeScope();
        var adapted = weight.to(ScalarType.Float32) + delta;
        var magnitude = Scale.to(ScalarType.Float32, weight.device);
        return scope.MoveToOuter(adapted * (magnitude / Norm(adapted, Axis)));
    }

    /// <summary>The L2 norm of every output row (or input column) of <paramref name="weight"/>, keeping its dimensions.</summary>
    static Tensor Norm(Tensor weight, DoraAxis axis)
    {
        long kept = axis == DoraAxis.Output ? 0 : 1;
        var reduced = Enumerable.Range(0, (int)weight.dim()).Select(d => (long)d).Where(d => d != kept).ToArray();
        return linalg.vector_norm(weight, 2, reduced, keepdim: true);
    }

    public void Dispose() => Scale.Dispose();
}

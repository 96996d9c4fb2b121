using DiffusionTune.IO.Formats;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Merging;

/// <summary>
/// Moves a module's weights between a base and a tuned version of it, tensor by tensor:
/// <c>base + α·(tuned − base)</c> with α from <see cref="BlockWeights"/>. α = 0 copies the base tensor and α = 1 the
/// tuned one, so those give either model bit for bit; other α are computed in float32 and rounded to the destination's
/// dtype once. Every state-dict entry takes part (parameters and buffers); integer buffers must agree.
/// </summary>
public static class WeightInterpolation
{
    /// <summary>The first tensor where <paramref name="first"/> and <paramref name="second"/> differ in name or shape, or null when they line up.</summary>
    public static TensorMismatch? FindMismatch(nn.Module first, nn.Module second)
    {
        var a = first.state_dict();
        var b = second.state_dict();
        foreach (var name in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            var shapeA = a.TryGetValue(name, out var ta) ? ta.shape : null;
            var shapeB = b.TryGetValue(name, out var tb) ? tb.shape : null;
            if (shapeA is null || shapeB is null || !shapeA.SequenceEqual(shapeB))
                return new TensorMismatch(name, shapeA, shapeB);
        }
        return null;
    }

    /// <summary>
    /// Writes the interpolation of <paramref name="base"/> and <paramref name="tuned"/> into <paramref name="destination"/>
    /// (which may be either of them, or a third module of the same architecture, so a caller can try many α without
    /// reloading). Names are <paramref name="component"/>'s, as <see cref="BlockWeights.AlphaOf(ModelComponent, string)"/> reads them.
    /// </summary>
    /// <exception cref="ArgumentException">The modules differ in tensor names or shapes, or an integer buffer differs between base and tuned.</exception>
    public static InterpolationCounts Interpolate(ModelComponent component, nn.Module @base, nn.Module tuned, nn.Module destination, BlockWeights weights)
    {
        foreach (var (other, what) in new[] { (tuned, "the tuned module"), (destination, "the destination") })
        {
            if (FindMismatch(@base, other) is { } mismatch)
                throw new ArgumentException($"{component.FolderName()}: {mismatch.Describe("the base", what)}");
        }
        var baseTensors = @base.state_dict();
        var tunedTensors = tuned.state_dict();
        int fromBase = 0, fromTuned = 0, interpolated = 0;
        using var _ = no_grad();
        foreach (var (name, target) in destination.state_dict())
        {
            using var scope = NewDisposeScope();
            var (b, t) = (baseTensors[name], tunedTensors[name]);
            double alpha = weights.AlphaOf(component, name);
            if (!b.is_floating_point())
            {
                if (!b.equal(t).item<bool>())
                    throw new ArgumentException($"{component.FolderName()}/{name}: this integer tensor differs between the base and the tuned module, and cannot be interpolated");
                CopyInto(target, b);
                fromBase++;
            }
            else if (alpha == 0)
            {
                CopyInto(target, b);
                fromBase++;
            }
            else if (alpha == 1)
            {
                CopyInto(target, t);
                fromTuned++;
            }
            else
            {
                var start = b.to(ScalarType.Float32);
                target.copy_(start + (t.to(ScalarType.Float32, b.device) - start) * alpha);
                interpolated++;
            }
        }
        return new InterpolationCounts(fromBase, fromTuned, interpolated);
    }

    static void CopyInto(Tensor target, Tensor source)
    {
        if (!ReferenceEquals(target, source) && target.Handle != source.Handle) target.copy_(source);
    }
}

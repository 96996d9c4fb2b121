using static TorchSharp.torch;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// AdamW for one parameter with tensor operations, on any device (CUDA; the CPU uses <see cref="FusedAdamWKernel"/>):
/// <c>torch.optim.AdamW</c>'s single-tensor algorithm on the fp32 master, with bf16 moments widened for the update and
/// rounded back stochastically.
/// </summary>
static class AdamWTensorUpdate
{
    public static void Update(AdamWParameter parameter, Tensor gradient, in AdamWStepScalars scalars)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var settings = scalars.Settings;
        var fullGradient = gradient.to(ScalarType.Float32, copy: true).div_(scalars.LossScale).mul_(scalars.ClipFactor);
        var mean = parameter.Mean.to(ScalarType.Float32).lerp_(fullGradient, 1 - settings.Beta1);
        var square = parameter.Square.to(ScalarType.Float32).mul_(settings.Beta2).addcmul_(fullGradient, fullGradient, 1 - settings.Beta2);
        var master = parameter.Master;
        master.mul_(scalars.DecayFactor);
        master.addcdiv_(mean, square.sqrt().div_(scalars.SquareCorrectionRoot).add_(settings.Epsilon), -scalars.StepSize);
        if (parameter.SeparateMaster) parameter.Model.copy_(master);
        if (parameter.Mean.dtype == ScalarType.Float32)
        {
            parameter.Mean.copy_(mean);
            parameter.Square.copy_(square);
            return;
        }
        using var rounding = new Generator((ulong)(scalars.RoundingSeed & long.MaxValue), master.device);
        parameter.Mean.copy_(StochasticallyRounded(mean, rounding));
        parameter.Square.copy_(StochasticallyRounded(square, rounding));
    }

    /// <summary>
    /// <paramref name="value"/> plus uniform noise of one bf16 spacing, so that rounding to nearest on the copy into bf16
    /// goes up or down with probability proportional to the distance.
    /// </summary>
    static Tensor StochasticallyRounded(Tensor value, Generator rounding)
    {
        var (mantissa, exponent) = frexp(value);
        // value = mantissa·2^exponent with |mantissa| in [0.5, 1); bf16 keeps 8 significant bits, so its spacing there is 2^(exponent−8).
        var noise = rand(value.shape, generator: rounding, device: value.device).sub_(0.5).ldexp_(exponent - 8);
        return value.add_(noise.masked_fill_(mantissa == 0, 0));
    }
}

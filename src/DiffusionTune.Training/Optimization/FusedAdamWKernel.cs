using System.Runtime.Intrinsics;
using TorchSharp;
using static DiffusionTune.Training.Optimization.CpuElements;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// AdamW for one CPU parameter in a single pass over memory: reads the model's gradient in its own dtype, updates both
/// moments and the fp32 master, and writes the model's bf16/fp16 copy, element by element. libtorch's tensor-at-a-time
/// AdamW makes about a dozen passes and keeps fp32 temporaries; for a full SD 1.5 fine-tune (860 M parameters) on a
/// memory-bound CPU that step took longer than forward and backward together. The arithmetic follows
/// <c>torch.optim.AdamW</c> operation by operation in fp32, so results agree with it to rounding.
/// </summary>
static unsafe class FusedAdamWKernel
{
    public static bool Supports(AdamWParameter parameter) => parameter.Master.device_type == DeviceType.CPU;

    public static void Update(AdamWParameter parameter, Tensor gradient, in AdamWStepScalars scalars)
    {
        if (!gradient.is_contiguous()) gradient = gradient.contiguous();
        var pointers = new Pointers(
            TensorMemory.Address(gradient), TensorMemory.Address(parameter.Mean), TensorMemory.Address(parameter.Square),
            (float*)TensorMemory.Address(parameter.Master), parameter.SeparateMaster ? TensorMemory.Address(parameter.Model) : null);
        var constants = new Constants(scalars);
        long count = parameter.Master.numel();
        var modelDtype = parameter.SeparateMaster ? parameter.Model.dtype : ScalarType.Float32;
        switch (gradient.dtype)
        {
            case ScalarType.Float32: WithGradient<Fp32>(parameter.Mean.dtype, modelDtype, pointers, constants, count); break;
            case ScalarType.BFloat16: WithGradient<Bf16>(parameter.Mean.dtype, modelDtype, pointers, constants, count); break;
            case ScalarType.Float16: WithGradient<Fp16>(parameter.Mean.dtype, modelDtype, pointers, constants, count); break;
            default: throw new NotSupportedException($"gradients of {gradient.dtype}");
        }
    }

    static void WithGradient<TGradient>(ScalarType momentDtype, ScalarType modelDtype, Pointers pointers, Constants constants, long count)
        where TGradient : struct, IElement
    {
        if (momentDtype == ScalarType.BFloat16) WithMoments<TGradient, StochasticBf16>(modelDtype, pointers, constants, count);
        else WithMoments<TGradient, Fp32>(modelDtype, pointers, constants, count);
    }

    static void WithMoments<TGradient, TMoment>(ScalarType modelDtype, Pointers pointers, Constants constants, long count)
        where TGradient : struct, IElement where TMoment : struct, IElement
    {
        // An fp32 model is its own master: nothing more to write.
        if (pointers.Model is null) Run<TGradient, TMoment, Fp32>(pointers, constants, count);
        else if (modelDtype == ScalarType.BFloat16) Run<TGradient, TMoment, Bf16>(pointers, constants, count);
        else if (modelDtype == ScalarType.Float16) Run<TGradient, TMoment, Fp16>(pointers, constants, count);
        else throw new NotSupportedException($"models in {modelDtype}");
    }

    static void Run<TGradient, TMoment, TModel>(Pointers pointers, Constants constants, long count)
        where TGradient : struct, IElement where TMoment : struct, IElement where TModel : struct, IElement
    {
        CpuBlocks.For(count, (start, end) => Span<TGradient, TMoment, TModel>(pointers, constants, start, end));
    }

    static void Span<TGradient, TMoment, TModel>(Pointers p, Constants c, long start, long end)
        where TGradient : struct, IElement where TMoment : struct, IElement where TModel : struct, IElement
    {
        long i = start;
        if (TGradient.Vectorized && TMoment.Vectorized && TModel.Vectorized)
        {
            var lanes = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
            for (; i + Vector256<float>.Count <= end; i += Vector256<float>.Count)
            {
                var gradient = TGradient.LoadVector(p.Gradient, i) / c.LossScale * c.ClipFactor;
                var mean = TMoment.LoadVector(p.Mean, i);
                mean += c.MeanWeight * (gradient - mean);
                var square = TMoment.LoadVector(p.Square, i) * c.Beta2 + c.SquareWeight * gradient * gradient;
                var master = Vector256.Load(p.Master + i) * c.DecayFactor;
                master += c.NegativeStepSize * (mean / (Vector256.Sqrt(square) / c.SquareCorrectionRoot + Vector256.Create(c.Epsilon)));
                master.Store(p.Master + i);
                if (p.Model is not null) TModel.StoreVector(p.Model, i, master, default);
                var noise = TMoment.NeedsNoise ? Noise(c.RoundingSeed, Vector256.Create((uint)i) + lanes) : default;
                TMoment.StoreVector(p.Mean, i, mean, noise);
                TMoment.StoreVector(p.Square, i, square, Vector256.ShiftRightLogical(noise, 16));
            }
        }
        for (; i < end; i++)
        {
            float gradient = TGradient.Load(p.Gradient, i) / c.LossScale * c.ClipFactor;
            float mean = TMoment.Load(p.Mean, i);
            mean += c.MeanWeight * (gradient - mean);                                  // exp_avg.lerp_(grad, 1 − β1)
            float square = TMoment.Load(p.Square, i) * c.Beta2 + c.SquareWeight * gradient * gradient;  // mul_(β2).addcmul_
            float master = p.Master[i] * c.DecayFactor;                                // param.mul_(1 − lr·λ)
            master += c.NegativeStepSize * (mean / (MathF.Sqrt(square) / c.SquareCorrectionRoot + c.Epsilon));
            p.Master[i] = master;
            if (p.Model is not null) TModel.Store(p.Model, i, master, 0);
            uint noise = TMoment.NeedsNoise ? Noise(c.RoundingSeed, (uint)i) : 0;
            TMoment.Store(p.Mean, i, mean, noise);
            TMoment.Store(p.Square, i, square, noise >> 16);
        }
    }

    readonly struct Pointers(void* gradient, void* mean, void* square, float* master, void* model)
    {
        public readonly void* Gradient = gradient, Mean = mean, Square = square, Model = model;
        public readonly float* Master = master;
    }

    readonly struct Constants(in AdamWStepScalars scalars)
    {
        public readonly float LossScale = (float)scalars.LossScale;
        public readonly float ClipFactor = (float)scalars.ClipFactor;
        public readonly float MeanWeight = (float)(1 - scalars.Settings.Beta1);
        public readonly float Beta2 = (float)scalars.Settings.Beta2;
        public readonly float SquareWeight = (float)(1 - scalars.Settings.Beta2);
        public readonly float DecayFactor = (float)scalars.DecayFactor;
        public readonly float NegativeStepSize = (float)-scalars.StepSize;
        public readonly float SquareCorrectionRoot = (float)scalars.SquareCorrectionRoot;
        public readonly float Epsilon = (float)scalars.Settings.Epsilon;
        public readonly uint RoundingSeed = (uint)(scalars.RoundingSeed ^ scalars.RoundingSeed >> 32);
    }
}

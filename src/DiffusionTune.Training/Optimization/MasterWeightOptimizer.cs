using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// AdamW with fp32 master weights, TorchSharp's stand-in for mixed precision (it has no autocast): the model computes
/// in its own dtype (bf16 or fp16), gradients are copied into fp32 master parameters, AdamW updates those, and the
/// result is written back into the model. With an fp32 model the parameters are optimised directly. An fp16 model
/// also gets dynamic loss scaling (<see cref="DynamicLossScaler"/>): losses go through <see cref="Backward"/>, which
/// scales them, and <see cref="Step"/> unscales the gradients before clipping and skips steps that overflow.
/// </summary>
public sealed class MasterWeightOptimizer : IDisposable
{
    readonly List<(string Name, Parameter Model, Parameter Master)> _pairs = [];
    readonly List<double> _multipliers = [];
    readonly AdamW _adam;
    readonly bool _separateMasters;
    readonly DynamicLossScaler? _scaler;
    readonly long _gradientChunkElements;

    /// <summary>Default bound on the fp32 gradient elements alive at once during a master-weight step (256 MiB).</summary>
    public const long DefaultGradientChunkElements = 64L << 20;

    /// <param name="lossScaleGrowthInterval">For fp16 models: good steps in a row before the loss scale doubles.</param>
    /// <param name="gradientChunkElements">
    /// With master weights: how many fp32 gradient elements a step may hold at once (see <see cref="Step"/>); smaller
    /// bounds save memory for large trained sets at the cost of more passes over the optimizer's parameter list.
    /// </param>
    public MasterWeightOptimizer(IReadOnlyList<TrainableGroup> groups, AdamWSettings settings,
        int lossScaleGrowthInterval = DynamicLossScaler.DefaultGrowthInterval, long gradientChunkElements = DefaultGradientChunkElements)
    {
        if (gradientChunkElements < 1) throw new ArgumentOutOfRangeException(nameof(gradientChunkElements), "must be at least 1");
        _gradientChunkElements = gradientChunkElements;
        var parameters = groups.SelectMany(g => g.Parameters).ToList();
        if (parameters.Count == 0) throw new ArgumentException("nothing to train: no parameters were given", nameof(groups));
        _separateMasters = parameters[0].Parameter.dtype != ScalarType.Float32;
        _scaler = parameters.Any(p => p.Parameter.dtype == ScalarType.Float16) ? new DynamicLossScaler(lossScaleGrowthInterval) : null;
        var adamGroups = new List<AdamW.ParamGroup>();
        foreach (var group in groups)
        {
            var masters = new List<Parameter>();
            foreach (var (name, parameter) in group.Parameters)
            {
                if (!parameter.requires_grad) throw new ArgumentException($"group '{group.Name}' holds a frozen parameter", nameof(groups));
                Parameter master;
                if (_separateMasters)
                {
                    using var noGrad = no_grad();
                    master = new Parameter(parameter.detach().to(ScalarType.Float32, copy: true), requires_grad: true);
                }
                else
                {
                    master = parameter;
                }
                _pairs.Add((name, parameter, master));
                masters.Add(master);
            }
            adamGroups.Add(new AdamW.ParamGroup(masters, new AdamW.Options
            {
                LearningRate = 0,
                beta1 = settings.Beta1,
                beta2 = settings.Beta2,
                eps = settings.Epsilon,
                weight_decay = settings.WeightDecay,
            }));
            _multipliers.Add(group.LearningRateMultiplier);
        }
        _adam = optim.AdamW(adamGroups, lr: 0, beta1: settings.Beta1, beta2: settings.Beta2, eps: settings.Epsilon, weight_decay: settings.WeightDecay);
    }

    /// <summary>The fp32 parameters AdamW updates, by name (the model's own parameters when it trains in fp32).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> Masters => _pairs.Select(p => (p.Name, p.Master));

    /// <summary>The factor losses are multiplied by before backward: the dynamic loss scale of an fp16 model, else none.</summary>
    public double? LossScale => _scaler?.Scale;

    /// <summary>
    /// Backpropagates <paramref name="loss"/> into the model's gradients (accumulating), multiplied by the loss scale
    /// in fp16 runs so that small gradients do not underflow; <see cref="Step"/> divides the scale out again.
    /// </summary>
    public void Backward(Tensor loss)
    {
        if (_scaler is null)
        {
            loss.backward();
            return;
        }
        using var scope = NewDisposeScope();
        (loss * _scaler.Scale).backward();
    }

    /// <summary>
    /// Applies one update with learning rate <paramref name="learningRate"/> (times each group's multiplier), after
    /// unscaling the gradients (fp16) and clipping their global norm to <paramref name="maxGradNorm"/> when given.
    /// Reports the gradient norm before clipping; when it is not finite, nothing is updated and the gradients are
    /// cleared, and in fp16 runs the step counts as a skipped overflow (the loss scale is halved) unless the scale is
    /// already at its minimum.
    /// </summary>
    /// <remarks>
    /// With master weights the update streams through the parameters: each chunk's gradients are widened to fp32,
    /// AdamW updates that chunk's masters and the model's own gradients are released as it goes, so the fp32 copies
    /// of all gradients never exist at once (they would add 4 bytes per trained parameter to the peak). The result is
    /// bit for bit that of clipping all fp32 gradients with <c>clip_grad_norm_</c> and one AdamW step over them all.
    /// </remarks>
    public OptimizerStepResult Step(double learningRate, double? maxGradNorm)
    {
        using var scope = NewDisposeScope();
        double? scaleUsed = _scaler?.Scale;
        var withGrads = _pairs.Where(p => p.Model.grad is not null).ToList();
        var (norm, clipFactor) = NormAndClipFactor(withGrads, scaleUsed, maxGradNorm);
        var decision = _scaler?.Update(double.IsFinite(norm))
            ?? (double.IsFinite(norm) ? DynamicLossScaler.Decision.Apply : DynamicLossScaler.Decision.Diverged);
        if (decision != DynamicLossScaler.Decision.Apply)
        {
            ZeroGrad();
            return new OptimizerStepResult(norm, decision == DynamicLossScaler.Decision.Skip, scaleUsed);
        }
        int index = 0;
        foreach (var group in _adam.ParamGroups)
            group.LearningRate = learningRate * _multipliers[index++];
        foreach (var chunk in Chunks(withGrads))
        {
            using var chunkScope = NewDisposeScope();
            using (no_grad())
            {
                foreach (var (_, model, master) in chunk)
                {
                    var gradient = FullPrecisionGradient(model, scaleUsed);
                    if (clipFactor is not null) gradient.mul_(clipFactor);
                    if (_separateMasters)
                    {
                        master.grad = gradient.DetachFromDisposeScope();
                        model.grad = null;
                    }
                }
            }
            // AdamW skips parameters without a gradient, so stepping chunk by chunk updates each master exactly once.
            _adam.step();
            if (_separateMasters)
            {
                using var noGrad = no_grad();
                foreach (var (_, model, master) in chunk)
                {
                    model.copy_(master);
                    master.grad = null;
                }
            }
        }
        ZeroGrad();
        return new OptimizerStepResult(norm, SkippedOverflow: false, scaleUsed);
    }

    /// <summary>
    /// The global L2 norm of the (unscaled) fp32 gradients and the factor that clips it, computed as libtorch's
    /// <c>clip_grad_norm_</c> does (per-tensor norms, the norm of those, <c>min(max / (norm + 1e-6), 1)</c>) so the
    /// numbers are the same, but one gradient at a time. Null factor: nothing to clip.
    /// </summary>
    (double Norm, Tensor? ClipFactor) NormAndClipFactor(List<(string Name, Parameter Model, Parameter Master)> withGrads, double? scale, double? maxGradNorm)
    {
        if (withGrads.Count == 0) return (0, null);
        using var noGrad = no_grad();
        var norms = new List<Tensor>();
        foreach (var (_, model, _) in withGrads)
        {
            using var gradientScope = NewDisposeScope();
            norms.Add(gradientScope.MoveToOuter(FullPrecisionGradient(model, scale).norm(2.0f)));
        }
        var total = norms.Count == 1 ? norms[0] : stack(norms).norm(2.0f);
        double norm = total.item<float>();
        if (maxGradNorm is not double max || !double.IsFinite(norm)) return (norm, null);
        var factor = full_like(total, max).div_(total + 1e-6).clamp_max(1.0);
        // A factor of exactly 1 leaves the gradients as they are.
        return factor.item<float>() == 1f ? (norm, null) : (norm, factor);
    }

    /// <summary>
    /// <paramref name="model"/>'s gradient in fp32 with the loss scale divided out: a new tensor with master weights,
    /// the gradient itself otherwise (fp32 models have no loss scale).
    /// </summary>
    Tensor FullPrecisionGradient(Parameter model, double? scale)
    {
        if (!_separateMasters) return model.grad!;
        var gradient = model.grad!.to(ScalarType.Float32, copy: true);
        if (scale is double s) gradient.div_(s);
        return gradient;
    }

    /// <summary>
    /// Groups the parameters so that each group's fp32 gradients stay within <see cref="_gradientChunkElements"/>
    /// (a larger parameter is a group of its own); one group when the model trains in fp32 and nothing is copied.
    /// </summary>
    IEnumerable<List<(string Name, Parameter Model, Parameter Master)>> Chunks(List<(string Name, Parameter Model, Parameter Master)> withGrads)
    {
        if (!_separateMasters)
        {
            yield return withGrads;
            yield break;
        }
        var chunk = new List<(string, Parameter, Parameter)>();
        long elements = 0;
        foreach (var pair in withGrads)
        {
            long size = pair.Model.numel();
            if (chunk.Count > 0 && elements + size > _gradientChunkElements)
            {
                yield return chunk;
                chunk = [];
                elements = 0;
            }
            chunk.Add(pair);
            elements += size;
        }
        if (chunk.Count > 0) yield return chunk;
    }

    public void ZeroGrad()
    {
        foreach (var (_, model, master) in _pairs)
        {
            model.grad = null;
            if (_separateMasters) master.grad = null;
        }
    }

    /// <summary>
    /// Saves AdamW's moments (and, with master weights, the fp32 masters; with fp16, the loss scaler) for an exact resume.
    /// </summary>
    public void Save(BinaryWriter writer)
    {
        _adam.save_state_dict(writer);
        if (_separateMasters)
        {
            foreach (var (_, _, master) in _pairs) master.Save(writer);
        }
        _scaler?.Save(writer);
    }

    public void Load(BinaryReader reader)
    {
        _adam.load_state_dict(reader);
        if (_separateMasters)
        {
            using var noGrad = no_grad();
            foreach (var (_, model, master) in _pairs)
            {
                master.Load(reader);
                model.copy_(master);
            }
        }
        _scaler?.Load(reader);
    }

    public void Dispose()
    {
        _adam.Dispose();
        if (_separateMasters)
        {
            foreach (var (_, _, master) in _pairs) master.Dispose();
        }
    }
}

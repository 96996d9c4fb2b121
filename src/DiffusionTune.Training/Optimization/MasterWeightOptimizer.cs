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

    /// <param name="lossScaleGrowthInterval">For fp16 models: good steps in a row before the loss scale doubles.</param>
    public MasterWeightOptimizer(IReadOnlyList<TrainableGroup> groups, AdamWSettings settings,
        int lossScaleGrowthInterval = DynamicLossScaler.DefaultGrowthInterval)
    {
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
    public OptimizerStepResult Step(double learningRate, double? maxGradNorm)
    {
        using var scope = NewDisposeScope();
        double? scaleUsed = _scaler?.Scale;
        if (_separateMasters)
        {
            foreach (var (_, model, master) in _pairs)
                master.grad = model.grad is null ? null : model.grad.to(ScalarType.Float32, copy: true).DetachFromDisposeScope();
        }
        var withGrads = _pairs.Where(p => p.Master.grad is not null).Select(p => p.Master).ToList();
        if (scaleUsed is double scale)
        {
            using var noGrad = no_grad();
            foreach (var master in withGrads) master.grad!.div_(scale);
        }
        double norm = withGrads.Count == 0 ? 0 : nn.utils.clip_grad_norm_(withGrads, maxGradNorm ?? double.PositiveInfinity);
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
        _adam.step();
        if (_separateMasters)
        {
            using var noGrad = no_grad();
            foreach (var (_, model, master) in _pairs) model.copy_(master);
        }
        ZeroGrad();
        return new OptimizerStepResult(norm, SkippedOverflow: false, scaleUsed);
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

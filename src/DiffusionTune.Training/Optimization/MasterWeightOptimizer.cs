using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// AdamW with fp32 master weights, TorchSharp's stand-in for mixed precision (it has no autocast): the model computes
/// in its own dtype (bf16 or fp16), AdamW updates fp32 master copies of the trained parameters from the model's
/// gradients, and the result is written back into the model. With an fp32 model the parameters are optimised directly.
/// An fp16 model also gets dynamic loss scaling (<see cref="DynamicLossScaler"/>): losses go through
/// <see cref="Backward"/>, which scales them, and <see cref="Step"/> unscales the gradients before clipping and skips
/// steps that overflow. The moments are fp32, or bf16 (<see cref="MomentPrecision.Bf16"/>) to save memory.
/// </summary>
public sealed class MasterWeightOptimizer : IDisposable
{
    /// <summary>Heads the saved state, so that a file of another format or moment precision is refused by name.</summary>
    const string StateFormat = "DiffusionTune AdamW state v1";

    readonly List<AdamWParameter> _parameters = [];
    readonly List<double> _multipliers = [];
    readonly AdamWSettings _settings;
    readonly DynamicLossScaler? _scaler;

    /// <param name="lossScaleGrowthInterval">For fp16 models: good steps in a row before the loss scale doubles.</param>
    public MasterWeightOptimizer(IReadOnlyList<TrainableGroup> groups, AdamWSettings settings,
        int lossScaleGrowthInterval = DynamicLossScaler.DefaultGrowthInterval)
    {
        _settings = settings;
        var parameters = groups.SelectMany(g => g.Parameters).ToList();
        if (parameters.Count == 0) throw new ArgumentException("nothing to train: no parameters were given", nameof(groups));
        _scaler = parameters.Any(p => p.Parameter.dtype == ScalarType.Float16) ? new DynamicLossScaler(lossScaleGrowthInterval) : null;
        for (int group = 0; group < groups.Count; group++)
        {
            foreach (var (name, parameter) in groups[group].Parameters)
            {
                if (!parameter.requires_grad) throw new ArgumentException($"group '{groups[group].Name}' holds a frozen parameter", nameof(groups));
                Parameter master;
                if (parameter.dtype != ScalarType.Float32)
                {
                    using var noGrad = no_grad();
                    master = new Parameter(parameter.detach().to(ScalarType.Float32, copy: true).contiguous(), requires_grad: true);
                }
                else
                {
                    master = parameter;
                }
                _parameters.Add(new AdamWParameter(name, parameter, master, group, settings.Moments, _parameters.Count));
            }
            _multipliers.Add(groups[group].LearningRateMultiplier);
        }
    }

    /// <summary>The fp32 parameters AdamW updates, by name (the model's own parameters when it trains in fp32).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> Masters => _parameters.Select(p => (p.Name, p.Master));

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
    /// Reports the gradient norm before clipping; when it is not finite, nothing is updated, the result says which
    /// gradients were not (<see cref="NonFiniteGradients"/>) and the gradients are cleared, and in fp16 runs the step
    /// counts as a skipped overflow (the loss scale is halved) unless the scale is already at its minimum.
    /// </summary>
    /// <remarks>
    /// Each parameter is updated from the model's own gradient, which is released as soon as it has been used: on the
    /// CPU in one fused pass (<see cref="FusedAdamWKernel"/>), elsewhere with tensor operations. Parameters without a
    /// gradient are skipped (their moments and step count stay), as in <c>torch.optim.AdamW</c>.
    /// </remarks>
    public OptimizerStepResult Step(double learningRate, double? maxGradNorm)
    {
        using var scope = NewDisposeScope();
        double? scaleUsed = _scaler?.Scale;
        var withGrads = _parameters.Where(p => p.Model.grad is not null).ToList();
        var (norm, clipFactor) = NormAndClipFactor(withGrads, scaleUsed, maxGradNorm);
        var decision = _scaler?.Update(double.IsFinite(norm))
            ?? (double.IsFinite(norm) ? DynamicLossScaler.Decision.Apply : DynamicLossScaler.Decision.Diverged);
        if (decision != DynamicLossScaler.Decision.Apply)
        {
            // Only a non-finite norm gets here: say where, while the gradients still exist.
            var nonFinite = NonFiniteGradients.Find(_parameters);
            ZeroGrad();
            return new OptimizerStepResult(norm, decision == DynamicLossScaler.Decision.Skip, scaleUsed, nonFinite);
        }
        using (no_grad())
        {
            foreach (var parameter in withGrads)
            {
                using var parameterScope = NewDisposeScope();
                parameter.Steps++;
                var scalars = new AdamWStepScalars(_settings, learningRate * _multipliers[parameter.Group], parameter.Steps,
                    scaleUsed ?? 1.0, clipFactor, RoundingSeed(parameter));
                if (FusedAdamWKernel.Supports(parameter)) FusedAdamWKernel.Update(parameter, parameter.Model.grad!, scalars);
                else AdamWTensorUpdate.Update(parameter, parameter.Model.grad!, scalars);
                parameter.Model.grad = null;
            }
        }
        return new OptimizerStepResult(norm, SkippedOverflow: false, scaleUsed);
    }

    /// <summary>Seeds a parameter's stochastic rounding by its position and step, so a resumed run rounds as an uninterrupted one.</summary>
    static ulong RoundingSeed(AdamWParameter parameter) =>
        ((ulong)parameter.Position << 40) ^ (ulong)parameter.Steps * 0xD1B54A32D192ED03UL;

    /// <summary>
    /// The global L2 norm of the (unscaled) gradients and the factor that clips it to <paramref name="maxGradNorm"/>
    /// (<c>min(max / (norm + 1e-6), 1)</c>, as libtorch's <c>clip_grad_norm_</c>). Squares are summed in fp64, on the CPU
    /// straight from each gradient's own dtype, elsewhere on the device with one read-back. A factor of 1: nothing to clip.
    /// </summary>
    static (double Norm, double ClipFactor) NormAndClipFactor(List<AdamWParameter> withGrads, double? scale, double? maxGradNorm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double sumOfSquares = 0;
        Tensor? onDevice = null;
        foreach (var parameter in withGrads)
        {
            var gradient = parameter.Model.grad!;
            if (CpuGradientNorm.Supports(gradient))
                sumOfSquares += CpuGradientNorm.SumOfSquares(gradient);
            else
                onDevice = gradient.to(ScalarType.Float64).square().sum().add_(onDevice ?? zeros([], ScalarType.Float64, gradient.device));
        }
        if (onDevice is not null) sumOfSquares += onDevice.item<double>();
        double norm = Math.Sqrt(sumOfSquares) / (scale ?? 1.0);
        if (maxGradNorm is not double max || !double.IsFinite(norm)) return (norm, 1);
        return (norm, Math.Min(max / (norm + 1e-6), 1.0));
    }

    public void ZeroGrad()
    {
        foreach (var parameter in _parameters) parameter.Model.grad = null;
    }

    /// <summary>
    /// Saves the moments and step counts (and the fp32 masters of non-fp32 parameters; with fp16, the loss scaler) for
    /// an exact resume.
    /// </summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(StateFormat);
        writer.Write(_settings.Moments.ToString());
        writer.Write(_parameters.Count);
        foreach (var parameter in _parameters)
        {
            writer.Write(parameter.Name);
            writer.Write(parameter.Steps);
            parameter.Mean.Save(writer);
            parameter.Square.Save(writer);
            if (parameter.SeparateMaster) parameter.Master.Save(writer);
        }
        _scaler?.Save(writer);
    }

    /// <summary>Restores what <see cref="Save"/> wrote, refusing state of another format, moment precision or parameter set.</summary>
    /// <exception cref="InvalidDataException">The state does not belong to this optimizer.</exception>
    public void Load(BinaryReader reader)
    {
        string format = ReadHeader(reader);
        if (format != StateFormat)
            throw new InvalidDataException("the optimizer state was written by an older DiffusionTune (before its fused AdamW); finish that run with that version or start it again");
        string moments = reader.ReadString();
        if (moments != _settings.Moments.ToString())
            throw new InvalidDataException($"the optimizer state holds {moments} moments but this run asks for {_settings.Moments}; resume with the same moment precision");
        int count = reader.ReadInt32();
        if (count != _parameters.Count)
            throw new InvalidDataException($"the optimizer state holds {count} parameters but this run trains {_parameters.Count} (was it started with other options?)");
        using var noGrad = no_grad();
        foreach (var parameter in _parameters)
        {
            string name = reader.ReadString();
            if (name != parameter.Name)
                throw new InvalidDataException($"the optimizer state holds '{name}' where this run trains '{parameter.Name}' (was it started with other options?)");
            parameter.Steps = reader.ReadInt64();
            parameter.Mean.Load(reader);
            parameter.Square.Load(reader);
            if (parameter.SeparateMaster)
            {
                parameter.Master.Load(reader);
                parameter.Model.copy_(parameter.Master);
            }
        }
        _scaler?.Load(reader);
    }

    /// <summary>The leading format string, or "" when the stream does not start with one (an older file).</summary>
    static string ReadHeader(BinaryReader reader)
    {
        try
        {
            return reader.ReadString();
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        foreach (var parameter in _parameters) parameter.Dispose();
    }
}

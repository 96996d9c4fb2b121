using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// An fp32 exponential moving average of trained parameters, the usual way to get smoother final weights from a
/// diffusion run. The decay ramps up as (1 + n) / (10 + n) early on so the average is not stuck at the initial weights.
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    readonly List<(string Name, Parameter Live, Tensor Shadow)> _entries = [];
    readonly double _decay;

    public ExponentialMovingAverage(IEnumerable<(string Name, Parameter Parameter)> parameters, double decay)
    {
        if (decay is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "the EMA decay must be between 0 and 1");
        _decay = decay;
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
            _entries.Add((name, parameter, parameter.detach().to(ScalarType.Float32, copy: true).DetachFromDisposeScope()));
    }

    /// <summary>Folds the current weights in; <paramref name="updates"/> counts previous updates (for the warm-up).</summary>
    public void Update(long updates)
    {
        double decay = Math.Min(_decay, (1.0 + updates) / (10.0 + updates));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (_, live, shadow) in _entries)
            shadow.lerp_(live.to(ScalarType.Float32), 1 - decay);
    }

    /// <summary>The averaged weights by parameter name (fp32, owned by this object).</summary>
    public IReadOnlyDictionary<string, Tensor> Weights => _entries.ToDictionary(e => e.Name, e => e.Shadow);

    /// <summary>Replaces the averaged weights (when resuming).</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> weights)
    {
        using var noGrad = no_grad();
        foreach (var (name, _, shadow) in _entries)
        {
            if (!weights.TryGetValue(name, out var saved) || !saved.shape.SequenceEqual(shadow.shape))
                throw new InvalidDataException($"the saved EMA has no tensor '{name}' of shape [{string.Join(", ", shadow.shape)}]");
            shadow.copy_(saved);
        }
    }

    public void Dispose()
    {
        foreach (var (_, _, shadow) in _entries) shadow.Dispose();
    }
}

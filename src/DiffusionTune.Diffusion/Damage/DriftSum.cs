using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Damage;

/// <summary>Sums squared differences and base squares over many outputs (in float64), to give one <see cref="DriftFigure"/>.</summary>
sealed class DriftSum
{
    double _squaredDifference;
    double _baseSquare;
    long _elements;

    /// <summary>Adds one pair of outputs of the same shape.</summary>
    public void Add(Tensor baseOutput, Tensor tunedOutput)
    {
        using var scope = NewDisposeScope();
        var reference = baseOutput.to(ScalarType.Float64);
        Add((tunedOutput.to(ScalarType.Float64) - reference).square().sum().item<double>(), reference.square().sum().item<double>(), baseOutput.numel());
    }

    /// <summary>Adds sums already taken over <paramref name="elements"/> elements.</summary>
    public void Add(double squaredDifference, double baseSquare, long elements)
    {
        _squaredDifference += squaredDifference;
        _baseSquare += baseSquare;
        _elements += elements;
    }

    public DriftFigure ToFigure() => _elements == 0 ? new DriftFigure(0, 0) : new DriftFigure(_squaredDifference / _elements, _baseSquare / _elements);
}

using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Unet;

/// <summary>
/// diffusers' <c>Timesteps</c>: the sinusoidal embedding of the (float) timestep, computed in float32.
/// With <c>flip_sin_to_cos</c> the cosine half comes first, as SD was trained.
/// </summary>
public sealed class Timesteps : nn.Module<Tensor, Tensor>
{
    private readonly long _channels;
    private readonly bool _flipSinToCos;
    private readonly double _frequencyShift;

    public Timesteps(long channels, bool flipSinToCos, double frequencyShift) : base(nameof(Timesteps))
    {
        _channels = channels;
        _flipSinToCos = flipSinToCos;
        _frequencyShift = frequencyShift;
        RegisterComponents();
    }

    /// <param name="timesteps">[B] timesteps (any numeric dtype).</param>
    public override Tensor forward(Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        long half = _channels / 2;
        var exponent = arange(half, ScalarType.Float32, timesteps.device) * (-Math.Log(10000.0) / (half - _frequencyShift));
        var angles = timesteps.to(ScalarType.Float32).unsqueeze(1) * exponent.exp().unsqueeze(0);
        var embedding = _flipSinToCos ? cat([angles.cos(), angles.sin()], 1) : cat([angles.sin(), angles.cos()], 1);
        if (_channels % 2 == 1) embedding = nn.functional.pad(embedding, [0, 1]);
        return scope.MoveToOuter(embedding);
    }
}

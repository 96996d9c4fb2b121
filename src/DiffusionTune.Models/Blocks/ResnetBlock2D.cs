using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Blocks;

/// <summary>
/// diffusers' <c>ResnetBlock2D</c>: GroupNorm → SiLU → conv, plus a per-channel time-embedding term (UNet only),
/// GroupNorm → SiLU → conv, and a 1×1 shortcut where the channel count changes.
/// </summary>
public sealed class ResnetBlock2D : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GroupNorm norm1;
    private readonly SafeConv2d conv1;
    private readonly Linear? time_emb_proj;
    private readonly GroupNorm norm2;
    private readonly Dropout dropout;
    private readonly SafeConv2d conv2;
    private readonly SafeConv2d? conv_shortcut;
    private readonly bool _scaleShift;
    private readonly double _outputScaleFactor;

    /// <param name="timeEmbeddingChannels">Width of the time embedding, or null for blocks without one (the VAE).</param>
    /// <param name="scaleShift">diffusers' <c>resnet_time_scale_shift = "scale_shift"</c>: the time embedding scales and shifts the normalised features.</param>
    public ResnetBlock2D(long inChannels, long outChannels, long? timeEmbeddingChannels, int groups, double eps,
        double dropoutRate = 0, bool scaleShift = false, double outputScaleFactor = 1.0)
        : base(nameof(ResnetBlock2D))
    {
        norm1 = Layers.GroupNorm(groups, inChannels, eps);
        conv1 = Layers.Conv2d(inChannels, outChannels, 3, padding: 1);
        if (timeEmbeddingChannels is long temb)
            time_emb_proj = Layers.Linear(temb, scaleShift ? outChannels * 2 : outChannels);
        norm2 = Layers.GroupNorm(groups, outChannels, eps);
        dropout = nn.Dropout(dropoutRate);
        conv2 = Layers.Conv2d(outChannels, outChannels, 3, padding: 1);
        if (inChannels != outChannels)
            conv_shortcut = Layers.Conv2d(inChannels, outChannels, 1);
        _scaleShift = scaleShift;
        _outputScaleFactor = outputScaleFactor;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input, Tensor? timeEmbedding)
    {
        using var scope = NewDisposeScope();
        var hidden = conv1.call(nn.functional.silu(norm1.call(input)));
        Tensor? scale = null, shift = null;
        if (time_emb_proj is not null && timeEmbedding is not null)
        {
            var t = time_emb_proj.call(nn.functional.silu(timeEmbedding)).unsqueeze(-1).unsqueeze(-1);
            if (_scaleShift)
            {
                var parts = t.chunk(2, dim: 1);
                (scale, shift) = (parts[0], parts[1]);
            }
            else
            {
                hidden = hidden + t;
            }
        }
        hidden = norm2.call(hidden);
        if (scale is not null) hidden = hidden * (scale + 1) + shift!;
        hidden = conv2.call(dropout.call(nn.functional.silu(hidden)));
        var residual = conv_shortcut is null ? input : conv_shortcut.call(input);
        var output = residual + hidden;
        if (_outputScaleFactor != 1.0) output = output / _outputScaleFactor;
        return scope.MoveToOuter(output);
    }
}

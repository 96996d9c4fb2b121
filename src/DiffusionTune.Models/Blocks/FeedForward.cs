using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Blocks;

/// <summary>diffusers' <c>FeedForward</c> with GEGLU: <c>net = [GEGLU(dim → 4·dim), Dropout, Linear(4·dim → dim)]</c>.</summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> net;

    public FeedForward(long dim, long multiplier = 4, double dropout = 0.0) : base(nameof(FeedForward))
    {
        long inner = dim * multiplier;
        net = nn.ModuleList<nn.Module<Tensor, Tensor>>(new GEGLU(dim, inner), nn.Dropout(dropout), Layers.Linear(inner, dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = input;
        foreach (var layer in net) hidden = layer.call(hidden);
        return scope.MoveToOuter(hidden);
    }
}

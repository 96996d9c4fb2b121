using DiffusionTune.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Clip;

/// <summary>CLIP's feed-forward: fc1 → activation (quick GELU for OpenAI CLIP, GELU for OpenCLIP) → fc2.</summary>
public sealed class ClipMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly bool _quickGelu;

    public ClipMlp(ClipTextConfig config) : base(nameof(ClipMlp))
    {
        fc1 = Layers.Linear(config.HiddenSize, config.IntermediateSize);
        fc2 = Layers.Linear(config.IntermediateSize, config.HiddenSize);
        _quickGelu = config.HiddenAct == "quick_gelu";
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var x = fc1.call(hidden);
        x = _quickGelu ? x * (x * 1.702).sigmoid() : nn.functional.gelu(x);
        return scope.MoveToOuter(fc2.call(x));
    }
}

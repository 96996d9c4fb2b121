using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Optimization;

/// <summary>
/// One trained parameter as AdamW sees it: the model's tensor, the fp32 master it is updated in (the model's own
/// tensor when the model trains in fp32), the two moments and how many updates it has had (its bias correction).
/// </summary>
sealed class AdamWParameter(string name, Parameter model, Parameter master, int group, MomentPrecision moments, int position = 0) : IDisposable
{
    public string Name { get; } = name;

    /// <summary>Its index among the optimizer's parameters (seeds its stochastic rounding).</summary>
    public int Position { get; } = position;

    public Parameter Model { get; } = model;

    public Parameter Master { get; } = master;

    /// <summary>Index of its group (learning-rate multiplier).</summary>
    public int Group { get; } = group;

    /// <summary>Running mean of the gradients (AdamW's <c>exp_avg</c>).</summary>
    public Tensor Mean { get; } = zeros_like(master, dtype: Dtype(moments)).DetachFromDisposeScope();

    /// <summary>Running mean of the squared gradients (<c>exp_avg_sq</c>).</summary>
    public Tensor Square { get; } = zeros_like(master, dtype: Dtype(moments)).DetachFromDisposeScope();

    public long Steps { get; set; }

    public bool SeparateMaster => !ReferenceEquals(Model, Master);

    static ScalarType Dtype(MomentPrecision moments) => moments == MomentPrecision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;

    public void Dispose()
    {
        Mean.Dispose();
        Square.Dispose();
        if (SeparateMaster) Master.Dispose();
    }
}

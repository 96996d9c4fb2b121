using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Trainers.Hypernetwork;

/// <summary>
/// One K or V module of a hypernetwork for one context width: <c>x + MLP(x)</c>, its Linear and LayerNorm
/// parameters named as in A1111's state dict (<c>linear.{i}.weight</c>, <c>linear.{i}.bias</c>) and initialised as A1111
/// does: Normal is N(0, 0.01) weights and zero biases (LayerNorms always get that), Xavier and Kaiming use zero biases.
/// </summary>
sealed class HypernetworkMlp : IDisposable
{
    readonly List<(Slot Slot, Parameter? Weight, Parameter? Bias)> _layers = [];
    readonly string _activation;

    public HypernetworkMlp(HypernetworkDesign design, int dim, ScalarType dtype, Device device)
    {
        _activation = design.Activation;
        foreach (var slot in design.Slots(dim))
        {
            switch (slot.Kind)
            {
                case SlotKind.Linear:
                    _layers.Add((slot, NewParameter([slot.Width, slot.InputWidth], design, isNorm: false, dtype, device), Zeros(slot.Width, dtype, device)));
                    break;
                case SlotKind.LayerNorm:
                    _layers.Add((slot, NewParameter([slot.Width], design, isNorm: true, dtype, device), Zeros(slot.Width, dtype, device)));
                    break;
                default:
                    _layers.Add((slot, null, null));
                    break;
            }
        }
    }

    /// <summary>The parameters under their state-dict names.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters =>
        _layers.Where(l => l.Weight is not null).SelectMany(l => new[]
        {
            ($"linear.{l.Slot.Index}.weight", l.Weight!),
            ($"linear.{l.Slot.Index}.bias", l.Bias!),
        });

    /// <summary>x + MLP(x); dropout only in training mode.</summary>
    public Tensor Apply(Tensor x, bool training)
    {
        var h = x;
        foreach (var (slot, weight, bias) in _layers)
        {
            h = slot.Kind switch
            {
                SlotKind.Linear => nn.functional.linear(h, weight!, bias),
                SlotKind.LayerNorm => nn.functional.layer_norm(h, [slot.Width], weight, bias),
                SlotKind.Activation => Activate(h),
                _ => training ? nn.functional.dropout(h, slot.Dropout, training: true) : h,
            };
        }
        return x + h;
    }

    Tensor Activate(Tensor h) => _activation switch
    {
        "relu" => nn.functional.relu(h),
        "leakyrelu" => nn.functional.leaky_relu(h),
        "elu" => nn.functional.elu(h, 1.0),
        // A1111 maps "swish" to torch.nn.Hardswish.
        "swish" => nn.functional.hardswish(h),
        "tanh" => h.tanh(),
        "sigmoid" => h.sigmoid(),
        var other => throw new InvalidOperationException($"activation '{other}' has no implementation"),
    };

    static Parameter NewParameter(long[] shape, HypernetworkDesign design, bool isNorm, ScalarType dtype, Device device)
    {
        var weight = empty(shape, ScalarType.Float32);
        var nonlinearity = design.Activation == "leakyrelu" ? nn.init.NonlinearityType.LeakyReLU : nn.init.NonlinearityType.ReLU;
        switch (isNorm ? "Normal" : design.Initialization)
        {
            case "XavierUniform": nn.init.xavier_uniform_(weight); break;
            case "XavierNormal": nn.init.xavier_normal_(weight); break;
            case "KaimingUniform": nn.init.kaiming_uniform_(weight, nonlinearity: nonlinearity); break;
            case "KaimingNormal": nn.init.kaiming_normal_(weight, nonlinearity: nonlinearity); break;
            default: nn.init.normal_(weight, 0, 0.01); break;
        }
        return new Parameter(weight.to(dtype, device));
    }

    static Parameter Zeros(long width, ScalarType dtype, Device device) => new(zeros([width], dtype, device));

    public void Dispose()
    {
        foreach (var (_, weight, bias) in _layers)
        {
            weight?.Dispose();
            bias?.Dispose();
        }
    }
}

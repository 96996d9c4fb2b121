using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MyTrainer;

/// <summary>
/// A trainable low-rank update of one frozen Linear layer, added to its output by a forward hook:
/// y = W·x + up(down(x)). <c>up</c> starts at zero, so training starts from the unchanged model.
/// </summary>
sealed class LowRankUpdate : IDisposable
{
    readonly Action _removeHook;

    public LowRankUpdate(string moduleName, Linear layer, int rank, ScalarType dtype)
    {
        ModuleName = moduleName;
        Rank = rank;
        var weight = layer.weight!;
        using (no_grad())
        {
            var down = empty([rank, weight.shape[1]], ScalarType.Float32);
            nn.init.kaiming_uniform_(down, a: Math.Sqrt(5));
            Down = new Parameter(down.to(dtype, weight.device));
            Up = new Parameter(zeros([weight.shape[0], rank], dtype, weight.device));
        }
        _removeHook = layer.register_forward_hook((_, input, output) => output + nn.functional.linear(nn.functional.linear(input, Down), Up)).remove;
    }

    /// <summary>The adapted layer's diffusers name.</summary>
    public string ModuleName { get; }

    public int Rank { get; }

    /// <summary>[rank, in].</summary>
    public Parameter Down { get; }

    /// <summary>[out, rank].</summary>
    public Parameter Up { get; }

    public void Dispose()
    {
        _removeHook();
        Down.Dispose();
        Up.Dispose();
    }
}

using static TorchSharp.torch;

namespace DiffusionTune.Models.Kernels;

/// <summary>
/// One operation at one shape class, as the models run it: <see cref="Run"/> is the project's own path (for convolutions,
/// <see cref="DiffusionTune.Contracts.SafeConvolution"/>), <see cref="RunLibrary"/> libtorch's operation called directly.
/// Both take tensors of <see cref="InputShapes"/>: the data first, then the weights, every one differentiable unless
/// <see cref="DataNeedsGradient"/> is false (as for a model's first layer, whose input is data).
/// </summary>
/// <param name="Operation">The kind of operation ("conv2d 3×3", "linear", "group_norm", …).</param>
/// <param name="Shape">Its shape class in words ("64→4 @2×16×16").</param>
public sealed record KernelCase(string Operation, string Shape, long[][] InputShapes, Func<Tensor[], Tensor> Run, Func<Tensor[], Tensor> RunLibrary)
{
    /// <summary>Whether the data input (the first) is differentiated too; libtorch runs other kernels when it is not.</summary>
    public bool DataNeedsGradient { get; init; } = true;

    /// <summary>A case whose project path is libtorch's operation itself.</summary>
    public KernelCase(string operation, string shape, long[][] inputShapes, Func<Tensor[], Tensor> run)
        : this(operation, shape, inputShapes, run, run)
    {
    }

    /// <summary>Whether the project runs this operation other than through libtorch's operation (a workaround).</summary>
    public bool HasOwnPath => !ReferenceEquals(Run, RunLibrary);

    public override string ToString() => $"{Operation} {Shape}{(DataNeedsGradient ? "" : " (input without gradient)")}";
}

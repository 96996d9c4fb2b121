using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>
/// One operation of a model at one of its real shapes, runnable on its own: <see cref="Inputs"/> makes fresh leaf
/// tensors (requiring grad, as in full fine-tuning, so backward computes every gradient the model's would) and
/// <see cref="Run"/> applies the operation to them.
/// </summary>
/// <param name="Class">The kind of operation ("conv2d 3×3", "group_norm", …): profiles are summed per class.</param>
/// <param name="Shape">The shapes it runs at, for the reader.</param>
/// <param name="ForwardFlop">Floating-point operations of its forward (2 per multiply-add; 0 for memory-bound ops).</param>
/// <param name="Inputs">Fresh inputs in a dtype on a device.</param>
/// <param name="Run">The operation.</param>
public sealed record IsolatedOp(string Class, string Shape, double ForwardFlop, Func<ScalarType, Device, Tensor[]> Inputs, Func<Tensor[], Tensor> Run);

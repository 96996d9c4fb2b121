using DiffusionTune.Contracts;
using DiffusionTune.Models.Kernels;
using DiffusionTune.Models.Runtime;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>
/// Checks this host's kernels for <c>doctor</c>: the sample <c>train</c> and <c>generate</c> check, in fp32 and bf16 on each
/// device, both as libtorch computes it and as DiffusionTune does, each against fp64 over a few random draws.
/// </summary>
public static class KernelProbe
{
    const int Draws = 3;

    static readonly ScalarType[] DTypes = [ScalarType.Float32, ScalarType.BFloat16];

    public static IReadOnlyList<KernelVerdict> Check(IEnumerable<Device> devices) =>
    [
        .. from device in devices
           let library = HostKernelCheck.Measure(device, DTypes, library: true, Draws)
           let project = HostKernelCheck.Measure(device, DTypes, library: false, Draws)
           from pair in library.Zip(project)
           select new KernelVerdict(device.ToString(), Precision.NameOf(pair.First.DType), pair.First.Case.Operation, pair.First.Case.Shape,
               pair.First.Problem, pair.Second.Problem,
               pair.First.Case.HasOwnPath ? $"channels zero-padded: outputs to multiples of {SafeConvolution.OutputChannelBlock}, inputs to {SafeConvolution.InputChannelBlock}" : null),
    ];
}

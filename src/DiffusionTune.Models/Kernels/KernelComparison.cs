using static TorchSharp.torch;

namespace DiffusionTune.Models.Kernels;

/// <summary>Measures <see cref="KernelCase"/>s against fp64 on the machine running them.</summary>
public static class KernelComparison
{
    /// <summary>
    /// Runs <paramref name="kernelCase"/> in each of <paramref name="dtypes"/> on <paramref name="device"/> (its project
    /// path, or libtorch's operation with <paramref name="library"/>) and in fp64 on the CPU, from the same inputs, and
    /// backpropagates the same random output gradient; compares the output and every input's gradient. Inputs and the
    /// output gradient are drawn in fp64 and rounded to every dtype tested (so they are exact in each, and input rounding
    /// does not count as error); the fp64 reference is libtorch's own operation, so a mistake in a project path cannot
    /// hide in its own reference.
    /// </summary>
    public static IReadOnlyList<KernelMeasurement> Measure(KernelCase kernelCase, IReadOnlyList<ScalarType> dtypes, Device? device = null,
        int draws = 2, bool library = false)
    {
        device ??= CPU;
        var run = library ? kernelCase.RunLibrary : kernelCase.Run;
        var errors = dtypes.Select(_ => new Worst()).ToArray();
        using var generatorScope = NewDisposeScope();
        var random = new Generator(4242, CPU);
        for (int draw = 0; draw < draws; draw++)
        {
            using var scope = NewDisposeScope();
            // Weights are drawn small, as trained weights are, so outputs stay in a range every dtype represents well.
            var inputs = kernelCase.InputShapes.Select((shape, i) => Representable(randn(shape, ScalarType.Float64, generator: random) * (i == 0 ? 1.0 : 0.2), dtypes)).ToArray();
            var referenceLeaves = Leaves(kernelCase, inputs, ScalarType.Float64, CPU);
            var reference = kernelCase.RunLibrary(referenceLeaves);
            var outputGradient = Representable(randn(reference.shape, ScalarType.Float64, generator: random), dtypes);
            var referenceGradients = Backward(reference, referenceLeaves, outputGradient);
            for (int d = 0; d < dtypes.Count; d++)
            {
                var leaves = Leaves(kernelCase, inputs, dtypes[d], device);
                var output = run(leaves);
                var gradients = Backward(output, leaves, outputGradient);
                errors[d].Add(output.detach().to(ScalarType.Float64, CPU), reference.detach(), gradients, referenceGradients);
            }
        }
        return [.. dtypes.Select((dtype, d) => errors[d].Result(kernelCase, dtype, draws))];
    }

    /// <summary>One dtype's measurement; see <see cref="Measure(KernelCase, IReadOnlyList{ScalarType}, Device?, int, bool)"/>.</summary>
    public static KernelMeasurement Measure(KernelCase kernelCase, ScalarType dtype, Device? device = null, int draws = 2, bool library = false) =>
        Measure(kernelCase, [dtype], device, draws, library)[0];

    /// <summary>The values rounded through every dtype, coarsest last, so that each represents them exactly.</summary>
    static Tensor Representable(Tensor values, IReadOnlyList<ScalarType> dtypes) =>
        dtypes.OrderBy(Precision).Aggregate(values, (rounded, dtype) => rounded.to(dtype).to(ScalarType.Float64));

    static int Precision(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => 53,
        ScalarType.Float32 => 24,
        ScalarType.Float16 => 11,
        _ => 8,
    };

    static Tensor[] Leaves(KernelCase kernelCase, Tensor[] inputs, ScalarType dtype, Device device) =>
        [.. inputs.Select((input, i) => input.to(dtype, device).detach().requires_grad_(i > 0 || kernelCase.DataNeedsGradient))];

    static Tensor[] Backward(Tensor output, Tensor[] leaves, Tensor outputGradient)
    {
        (output * outputGradient.to(output.dtype, output.device)).sum().backward();
        return [.. leaves.Select(leaf => leaf.grad is null ? zeros_like(leaf, ScalarType.Float64, CPU) : leaf.grad.to(ScalarType.Float64, CPU))];
    }

    /// <summary>The largest errors over the draws so far.</summary>
    sealed class Worst
    {
        double _output, _gradient;
        string? _worstGradient;
        int _nonFinite;

        public void Add(Tensor output, Tensor reference, Tensor[] gradients, Tensor[] referenceGradients)
        {
            if (!output.isfinite().all().item<bool>() || gradients.Any(gradient => !gradient.isfinite().all().item<bool>()))
            {
                _nonFinite++;
                return;
            }
            _output = Math.Max(_output, RelativeError(output, reference));
            for (int i = 0; i < gradients.Length; i++)
            {
                double error = RelativeError(gradients[i], referenceGradients[i]);
                if (error <= _gradient) continue;
                _gradient = error;
                _worstGradient = i == 0 ? "input" : $"weight {i}";
            }
        }

        public KernelMeasurement Result(KernelCase kernelCase, ScalarType dtype, int draws) =>
            new(kernelCase, dtype, _output, _gradient, _worstGradient, _nonFinite, draws);
    }

    /// <summary>max |tested − reference| / max |reference|: rounding in a dtype shows as a share of the result's scale.</summary>
    static double RelativeError(Tensor tested, Tensor reference) =>
        ((tested - reference).abs().max() / reference.abs().max().clamp_min(1e-30)).item<double>();
}

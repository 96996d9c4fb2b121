using DiffusionTune.Cli.Commands;
using DiffusionTune.Cli.Commands.Doctor;
using DiffusionTune.Models.Kernels;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Kernels;

/// <summary>The quick host check that loading a model runs, its refusal, and what <c>doctor</c> reports of the same sample.</summary>
public class HostKernelCheckTests
{
    [Fact]
    public void The_quick_check_passes_here_through_the_projects_own_paths()
    {
        _ = KernelAuditSwitch.LibraryKernels;
        var measurements = HostKernelCheck.Measure(CPU, [ScalarType.Float32, ScalarType.BFloat16], library: false);
        Assert.Equal(2 * KernelCases.HostSample().Count, measurements.Count);
        Assert.All(measurements, measurement => Assert.True(measurement.IsRight, $"{measurement.Case} {measurement.DType}: {measurement.Problem}"));
        HostKernelCheck.EnsureRight(CPU, ScalarType.BFloat16);
        // The all-right verdict is kept for this host, so the next process skips the check.
        Assert.True(HostKernelVerdicts.KnownRight(CPU, [ScalarType.Float32, ScalarType.BFloat16]));
    }

    [Fact]
    public void A_wrong_kernel_without_a_workaround_stops_the_run_with_what_is_wrong_and_what_to_do()
    {
        var sample = KernelCases.HostSample()[0];
        var bf16Wrong = new KernelMeasurement(sample, ScalarType.BFloat16, 0.39, 0.56, "input", NonFiniteDraws: 1, Draws: 3);
        var right = new KernelMeasurement(sample, ScalarType.Float32, 1e-7, 2e-7, "input", 0, 3);

        HostKernelCheck.ThrowIfWrong([right], CPU);
        var refusal = Assert.Throws<WrongKernelsException>(() => HostKernelCheck.ThrowIfWrong([right, bf16Wrong], CPU));
        Assert.Contains($"{sample} in bf16 wrongly (output off by 0.39, gradient of input off by 0.56, non-finite in 1 of 3 draws)", refusal.Message);
        Assert.Contains("on this CPU", refusal.Message);
        Assert.Contains("--precision fp32", refusal.Message);
        Assert.Contains("diffusiontune doctor", refusal.Message);

        var fp32Wrong = right with { GradientError = 0.56 };
        Assert.DoesNotContain("--precision fp32", Assert.Throws<WrongKernelsException>(() => HostKernelCheck.ThrowIfWrong([fp32Wrong], CPU)).Message);
        // A command reports it in one line and exits 1, as for any other input the user can act on.
        Assert.Equal(CommandRunner.UserError, CommandRunner.Run(() => throw refusal));
    }

    [Fact]
    public void Doctor_reports_every_sampled_kernel_both_as_libtorch_and_as_the_project_computes_it()
    {
        _ = KernelAuditSwitch.LibraryKernels;
        var verdicts = KernelProbe.Check([CPU]);

        Assert.Equal(2 * KernelCases.HostSample().Count, verdicts.Count);
        Assert.Equal(["bf16", "fp32"], verdicts.Select(v => v.Precision).Distinct().Order());
        Assert.All(verdicts, verdict => Assert.True(verdict.ProjectRight, $"{verdict.Operation} {verdict.Shape} {verdict.Precision}: {verdict.Project}"));
        // Every operation libtorch gets wrong here is one the project computes its own way.
        Assert.All(verdicts.Where(v => !v.LibraryRight), verdict => Assert.NotNull(verdict.Workaround));
        Assert.All(verdicts.Where(v => v.Operation.StartsWith("conv2d", StringComparison.Ordinal)), verdict => Assert.Contains("zero-padded", verdict.Workaround));
    }
}

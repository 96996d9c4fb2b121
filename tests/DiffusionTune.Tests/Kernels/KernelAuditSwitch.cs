using DiffusionTune.Contracts;

namespace DiffusionTune.Tests.Kernels;

/// <summary>
/// The test-only switch that turns the project's kernel workarounds off: with <c>DIFFUSIONTUNE_AUDIT_LIBRARY_KERNELS=1</c>
/// the kernel audit measures libtorch's operations as they are and the whole-model checks run without channel padding,
/// so on a host whose kernels are wrong the audit fails, showing what the workaround fixes.
/// </summary>
static class KernelAuditSwitch
{
    public static bool LibraryKernels { get; } = Environment.GetEnvironmentVariable("DIFFUSIONTUNE_AUDIT_LIBRARY_KERNELS") == "1";

    static KernelAuditSwitch()
    {
        if (LibraryKernels) SafeConvolution.PadChannels = false;
    }
}

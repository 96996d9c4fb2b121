using System.Runtime.InteropServices;
using TorchSharp;

namespace DiffusionTune.Models.Runtime;

/// <summary>
/// Turns libtorch's NNPACK convolution path off for the process. On CPUs NNPACK does not support (such as the AVX-512
/// EPYC the tests run on) libtorch tries to start it on every convolution and logs "Could not initialize NNPACK!" each time:
/// 561 lines for one 64 px image, thousands in a redirected log. With the path off it is never tried, and convolutions
/// take the same oneDNN/native path on every host, the one <c>SafeConvolution</c> and the host kernel check cover.
/// Linux x64 libtorch only (the switch is a C++ member reached by its Itanium-mangled name); elsewhere it does nothing.
/// </summary>
public static class NnpackSwitch
{
    /// <summary>Whether NNPACK is off in this process.</summary>
    public static bool Disabled { get; private set; }

    /// <summary>Turns NNPACK off; call once at start-up. Loads libtorch.</summary>
    public static void Disable()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            // TorchSharp loads libtorch_cpu first, so the name below binds to the copy TorchSharp uses.
            torch.InitializeDeviceType(DeviceType.CPU);
            var context = GlobalContext();
            SetUserEnabledNnpack(context, false);
            Disabled = !UserEnabledNnpack(context);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Disabled = false;
        }
    }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    static extern bool UserEnabledNnpack(IntPtr context);
}

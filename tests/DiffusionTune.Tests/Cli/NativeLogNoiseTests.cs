using DiffusionTune.Models.Runtime;

namespace DiffusionTune.Tests.Cli;

/// <summary>libtorch's per-convolution NNPACK warning must never reach a user's terminal or log.</summary>
public class NativeLogNoiseTests
{
    [Fact]
    public void Nnpack_is_switched_off_on_linux()
    {
        NnpackSwitch.Disable();

        Assert.Equal(OperatingSystem.IsLinux(), NnpackSwitch.Disabled);
    }

    [Fact]
    public void Generate_prints_no_nnpack_warning()
    {
        using var scratch = new ScratchFolder();

        var run = CliProcess.Run(["generate", "--prompt", "a red star on a plain white background", "--seed", "1", "--steps", "2", "--output", scratch.File("out")],
            scratch.Path, TimeSpan.FromMinutes(3));

        Assert.False(run.Failed, run.Output);
        Assert.DoesNotContain("NNPACK", run.Output, StringComparison.Ordinal);
    }
}

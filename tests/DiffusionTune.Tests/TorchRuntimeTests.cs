using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void Torch_initialises_and_runs_a_training_step()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(3, 4, 3, padding: 1);
        var x = randn(2, 3, 8, 8);
        var y = nn.functional.scaled_dot_product_attention(randn(1, 2, 5, 4), randn(1, 2, 5, 4), randn(1, 2, 5, 4));
        var loss = conv.call(x).square().mean() + y.square().mean();
        var optimizer = optim.AdamW(conv.parameters(), lr: 1e-3);
        loss.backward();
        optimizer.step();
        Assert.True(float.IsFinite(loss.item<float>()));
        Assert.Equal(ScalarType.BFloat16, x.to(ScalarType.BFloat16).dtype);
    }

    [Fact]
    public void The_native_heap_keeps_freed_tensors_for_reuse_on_glibc_only()
    {
        string[] glibcPaths = ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/lib64/libc.so.6", "/usr/lib64/libc.so.6"];
        bool glibc = OperatingSystem.IsLinux() && glibcPaths.Any(File.Exists);
        DiffusionTune.Models.Runtime.NativeHeap.KeepFreedMemory();
        Assert.Equal(glibc, DiffusionTune.Models.Runtime.NativeHeap.KeepsFreedMemory);
        // Tensors still allocate and free as before.
        using var scope = NewDisposeScope();
        Assert.Equal(64L << 20, zeros([64L << 20], ScalarType.Byte).numel());
    }
}

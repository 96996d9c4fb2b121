using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.Models.Runtime;
using DiffusionTune.Training.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

/// <summary>
/// Seeded noise is drawn on a CPU generator and only then moved, so a seed gives the same numbers on every device.
/// Without a GPU, the "meta" device (shapes only, no data) stands in for one: a draw for it must still come from the
/// CPU stream, or the draws after it would shift.
/// </summary>
public class DeviceIndependentNoiseTests
{
    static readonly Device Meta = new(DeviceType.META);

    [Fact]
    public void Generation_noise_comes_from_the_cpu_stream_whatever_the_target_device_and_dtype()
    {
        using var reference = new Generator(0, CPU).manual_seed(42);
        var first = randn([2, 4, 8, 8], ScalarType.Float32, CPU, generator: reference);
        var second = randn([2, 4, 8, 8], ScalarType.Float32, CPU, generator: reference);

        using var source = new SeededNoiseSource(42);
        var forMeta = source.Draw([2, 4, 8, 8], Meta, ScalarType.Float16);
        Assert.Equal(DeviceType.META, forMeta.device_type);
        Assert.Equal(ScalarType.Float16, forMeta.dtype);
        // The meta draw consumed the first block of the CPU stream, so the next draw is the stream's second block.
        Assert.True(TensorAssert.Identical(second, source.Draw([2, 4, 8, 8], CPU, ScalarType.Float32)));

        using var again = new SeededNoiseSource(42);
        Assert.True(TensorAssert.Identical(first.to(ScalarType.BFloat16), again.Draw([2, 4, 8, 8], CPU, ScalarType.BFloat16)));
    }

    [Fact]
    public void Training_noise_and_timesteps_come_from_the_steps_cpu_generator_whatever_the_latents_dtype()
    {
        var settings = new EngineSettings { NoiseOffset = 0.1 };
        using var latentRandom = new Generator(0, CPU).manual_seed(3);
        using var latents = randn([2, 4, 8, 8], generator: latentRandom);

        (Tensor Noise, Tensor Timesteps) Noise(ScalarType dtype)
        {
            using var random = new Generator(0, CPU).manual_seed(7);
            var noised = new TrainingStep(0, random, NoiseSchedule.StableDiffusion1, settings).AddNoise(latents.to(dtype));
            return (noised.Noise, noised.Timesteps);
        }

        var (fp32Noise, fp32Timesteps) = Noise(ScalarType.Float32);
        var (bf16Noise, bf16Timesteps) = Noise(ScalarType.BFloat16);
        Assert.True(TensorAssert.Identical(fp32Noise, bf16Noise));
        Assert.True(TensorAssert.Identical(fp32Timesteps, bf16Timesteps));

        using var expected = new Generator(0, CPU).manual_seed(7);
        var noise = randn([2, 4, 8, 8], ScalarType.Float32, CPU, generator: expected);
        noise = noise + 0.1 * randn([2, 4, 1, 1], ScalarType.Float32, CPU, generator: expected);
        Assert.True(TensorAssert.Identical(noise, fp32Noise));
    }

    [Fact]
    public void Moving_to_the_cpu_is_a_plain_move_and_only_host_to_cuda_uses_pinned_memory()
    {
        using var host = arange(9, ScalarType.Float32).reshape(3, 3);
        Assert.False(HostToDevice.UsesPinnedCopy(host, CPU));
        Assert.False(HostToDevice.UsesPinnedCopy(host, Meta));
        Assert.True(HostToDevice.UsesPinnedCopy(host, new Device(DeviceType.CUDA, 0)));
        using var moved = HostToDevice.Move(host, CPU, ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, moved.dtype);
        Assert.True(TensorAssert.Identical(host.to(ScalarType.BFloat16), moved));
        Assert.False(host.is_pinned());
    }
}

using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Sampling;

public sealed class SamplerBehaviourTests
{
    static readonly long[] LatentShape = [1, 4, 8, 8];

    [Fact]
    public void Euler_ancestral_is_deterministic_per_seed()
    {
        using var scope = NewDisposeScope();
        var first = Generate(new SamplerChoice(SamplerKind.EulerAncestral), seed: 42);
        var again = Generate(new SamplerChoice(SamplerKind.EulerAncestral), seed: 42);
        var other = Generate(new SamplerChoice(SamplerKind.EulerAncestral), seed: 43);
        Assert.True(first.Equals(again));
        Assert.False(first.allclose(other, rtol: 1e-2, atol: 1e-2));
    }

    [Fact]
    public void Seeded_draws_do_not_depend_on_the_requested_dtype()
    {
        using var scope = NewDisposeScope();
        using var asFloat = new SeededNoiseSource(5);
        using var asBFloat16 = new SeededNoiseSource(5);
        for (int i = 0; i < 3; i++)
        {
            var reference = asFloat.Draw(LatentShape, CPU, ScalarType.Float32);
            var converted = asBFloat16.Draw(LatentShape, CPU, ScalarType.BFloat16);
            Assert.Equal(ScalarType.BFloat16, converted.dtype);
            Assert.True(reference.to(ScalarType.BFloat16).Equals(converted));
        }
    }

    public static TheoryData<string> AllChoices()
    {
        var data = new TheoryData<string>();
        foreach (var choice in SamplerChoice.All) data.Add(choice.ShortName);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllChoices))]
    public void Bfloat16_samples_stay_bfloat16_and_track_the_float32_result(string name)
    {
        using var scope = NewDisposeScope();
        var choice = SamplerChoice.Parse(name);
        var reference = Generate(choice, seed: 3);
        var lowPrecision = Generate(choice, seed: 3, ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, lowPrecision.dtype);
        // bfloat16 keeps 8 bits of mantissa; over 10 steps a few of its ulps of the latent's range is expected.
        double range = reference.abs().max().item<float>();
        TensorComparison.AssertClose(lowPrecision, reference, 0, 0.03 * range, $"{choice} in bfloat16");
    }

    [Theory]
    [MemberData(nameof(AllChoices))]
    public void A_whole_generation_leaves_no_tensor_alive(string name)
    {
        var choice = SamplerChoice.Parse(name);
        using var noise = new SeededNoiseSource(1);
        using var start = noise.Draw(LatentShape, CPU, ScalarType.Float32);
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var sampler = SamplerFactory.Create(choice, NoiseSchedule.StableDiffusion1, 6, noise))
        {
            var x = start * sampler.InitNoiseSigma;
            for (int i = 0; i < sampler.Timesteps.Count; i++)
            {
                using var modelInput = sampler.ScaleModelInput(x, i);
                using var modelOutput = SchedulerFixture.ToyModel(modelInput, sampler.Timesteps[i]);
                var next = sampler.Step(modelOutput, i, x);
                x.Dispose();
                x = next;
            }
            x.Dispose();
        }
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Dpm_solver_refuses_to_skip_steps()
    {
        using var scope = NewDisposeScope();
        using var sampler = new DpmSolverMultistepSampler(NoiseSchedule.StableDiffusion1, 5);
        var x = randn(LatentShape);
        x = sampler.Step(zeros_like(x), 0, x);
        Assert.Throws<InvalidOperationException>(() => sampler.Step(zeros_like(x), 2, x));
    }

    [Fact]
    public void Step_checks_its_arguments()
    {
        using var scope = NewDisposeScope();
        using var sampler = new EulerSampler(NoiseSchedule.StableDiffusion1, 5);
        var x = randn(LatentShape);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Step(x, 5, x));
        Assert.Throws<ArgumentException>(() => sampler.Step(randn(1, 4, 8, 9), 0, x));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EulerSampler(NoiseSchedule.StableDiffusion1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DdimSampler(NoiseSchedule.StableDiffusion1, 1001));
    }

    [Fact]
    public void Factory_rejects_combinations_that_do_not_exist()
    {
        Assert.Throws<ArgumentException>(() => SamplerFactory.Create(SamplerKind.Ddim, NoiseSchedule.StableDiffusion1, 10, karras: true));
        Assert.Throws<ArgumentNullException>(() => SamplerFactory.Create(SamplerKind.EulerAncestral, NoiseSchedule.StableDiffusion1, 10));
        Assert.Throws<ArgumentNullException>(() => new DdimSampler(NoiseSchedule.StableDiffusion1, 10, eta: 0.5));
    }

    /// <summary>Expected lists follow diffusers' spacing rules for T = 1000, 10 steps, steps_offset 1.</summary>
    [Theory]
    [InlineData(SamplerKind.Ddim, TimestepSpacing.Linspace, new[] { 999f, 888, 777, 666, 555, 444, 333, 222, 111, 0 })]
    [InlineData(SamplerKind.Ddim, TimestepSpacing.Trailing, new[] { 999f, 899, 799, 699, 599, 499, 399, 299, 199, 99 })]
    [InlineData(SamplerKind.Euler, TimestepSpacing.Leading, new[] { 901f, 801, 701, 601, 501, 401, 301, 201, 101, 1 })]
    [InlineData(SamplerKind.Euler, TimestepSpacing.Trailing, new[] { 999f, 899, 799, 699, 599, 499, 399, 299, 199, 99 })]
    [InlineData(SamplerKind.DpmPlusPlus2M, TimestepSpacing.Leading, new[] { 901f, 811, 721, 631, 541, 451, 361, 271, 181, 91 })]
    [InlineData(SamplerKind.DpmPlusPlus2M, TimestepSpacing.Trailing, new[] { 999f, 899, 799, 699, 599, 499, 399, 299, 199, 99 })]
    public void Timestep_spacing_follows_diffusers(SamplerKind kind, TimestepSpacing spacing, float[] expected)
    {
        var schedule = new NoiseSchedule(NoiseScheduleOptions.StableDiffusion1 with { TimestepSpacing = spacing });
        using var sampler = SamplerFactory.Create(kind, schedule, 10);
        Assert.Equal(expected, sampler.Timesteps);
    }

    [Fact]
    public void Euler_with_leading_spacing_starts_from_the_widened_noise_level()
    {
        var schedule = new NoiseSchedule(NoiseScheduleOptions.StableDiffusion1 with { TimestepSpacing = TimestepSpacing.Leading });
        using var sampler = new EulerSampler(schedule, 10);
        float sigma = sampler.Sigmas[0];
        Assert.Equal(MathF.Sqrt(sigma * sigma + 1), sampler.InitNoiseSigma);
    }

    /// <summary>Runs the toy model through a 10-step generation from the seed's noise.</summary>
    static Tensor Generate(SamplerChoice choice, long seed, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        using var noise = new SeededNoiseSource(seed);
        using var sampler = SamplerFactory.Create(choice, NoiseSchedule.StableDiffusion1, 10, noise);
        var x = noise.Draw(LatentShape, CPU, dtype) * sampler.InitNoiseSigma;
        for (int i = 0; i < sampler.Timesteps.Count; i++)
        {
            var modelOutput = SchedulerFixture.ToyModel(sampler.ScaleModelInput(x, i), sampler.Timesteps[i]);
            x = sampler.Step(modelOutput, i, x);
        }
        return scope.MoveToOuter(x);
    }
}

using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Diffusion.Schedules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Sampling;

/// <summary>Every sampler against the trajectories diffusers recorded with the README's toy model.</summary>
public sealed class SamplerFixtureTests(ITestOutputHelper output) : IDisposable
{
    readonly SchedulerFixture _fixture = new();

    public static TheoryData<string> Trajectories => ["ddim", "euler", "euler_ancestral", "dpmpp_2m", "dpmpp_2m_karras", "euler_karras"];

    [Theory]
    [MemberData(nameof(Trajectories))]
    public void Timesteps_sigmas_and_init_noise_sigma_match_diffusers(string name)
    {
        var reference = _fixture.Sampler(name);
        var noise = new RecordedNoiseSource([]);
        using var sampler = CreateSampler(name, noise);

        TensorComparison.AssertClose(sampler.Timesteps, SchedulerFixture.Numbers(reference.GetProperty("timesteps")), 1e-6, 0, $"{name} timesteps");
        float initNoiseSigma = reference.GetProperty("init_noise_sigma").GetSingle();
        Assert.True(initNoiseSigma == sampler.InitNoiseSigma, $"init_noise_sigma {sampler.InitNoiseSigma:R} vs {initNoiseSigma:R}");
        if (reference.TryGetProperty("sigmas", out var sigmas))
        {
            var actual = sampler switch
            {
                EulerSampler euler => euler.Sigmas,
                EulerAncestralSampler ancestral => ancestral.Sigmas,
                DpmSolverMultistepSampler dpm => dpm.Sigmas,
                _ => throw new InvalidOperationException($"{sampler.GetType().Name} has no sigmas"),
            };
            TensorComparison.AssertClose(actual, SchedulerFixture.Numbers(sigmas), 1e-6, 0, $"{name} sigmas");
        }
    }

    [Theory]
    [MemberData(nameof(Trajectories))]
    public void Trajectory_with_the_toy_model_matches_diffusers(string name)
    {
        using var scope = NewDisposeScope();
        var recordedNoise = Enumerable.Range(0, _fixture.Steps)
            .Select(i => $"{name}.step{i:00}.noise")
            .Where(_fixture.Contains)
            .Select(_fixture.Load)
            .ToList();
        var noise = new RecordedNoiseSource(recordedNoise);
        using var sampler = CreateSampler(name, noise);
        var worst = new TensorComparison(0, 0);

        var x = _fixture.Load("noise") * sampler.InitNoiseSigma;
        Track(TensorComparison.AssertClose(x, _fixture.Load($"{name}.x_T"), SchedulerFixture.Rtol, SchedulerFixture.Atol, $"{name} x_T"));
        for (int i = 0; i < sampler.Timesteps.Count; i++)
        {
            var step = $"{name}.step{i:00}";
            var modelInput = sampler.ScaleModelInput(x, i);
            Track(TensorComparison.AssertClose(modelInput, _fixture.Load($"{step}.model_input"), SchedulerFixture.Rtol, SchedulerFixture.Atol, $"{step}.model_input"));
            var modelOutput = SchedulerFixture.ToyModel(modelInput, sampler.Timesteps[i]);
            Track(TensorComparison.AssertClose(modelOutput, _fixture.Load($"{step}.model_output"), SchedulerFixture.Rtol, SchedulerFixture.Atol, $"{step}.model_output"));
            x = sampler.Step(modelOutput, i, x);
            Track(TensorComparison.AssertClose(x, _fixture.Load($"{step}.prev_sample"), SchedulerFixture.Rtol, SchedulerFixture.Atol, $"{step}.prev_sample"));
        }
        var final = TensorComparison.AssertClose(x, _fixture.Load($"{name}.final"), SchedulerFixture.Rtol, SchedulerFixture.Atol, $"{name}.final");
        Assert.Equal(recordedNoise.Count, noise.Used);
        output.WriteLine($"{name}: final max |diff| {final.MaxAbsDiff:G3}; over all steps max |diff| {worst.MaxAbsDiff:G3}, worst {worst.WorstAllowanceRatio:G3}× the rtol 1e-4 / atol 1e-5 allowance");

        void Track(TensorComparison comparison) =>
            worst = new(Math.Max(worst.MaxAbsDiff, comparison.MaxAbsDiff), Math.Max(worst.WorstAllowanceRatio, comparison.WorstAllowanceRatio));
    }

    [Fact]
    public void Seeded_source_reproduces_the_draws_diffusers_made_with_a_seeded_cpu_generator()
    {
        // diffusers drew the Euler a noise with torch.Generator().manual_seed(1636), one [1,4,8,8] draw per step.
        using var seeded = new SeededNoiseSource(1636);
        for (int i = 0; i < _fixture.Steps; i++)
        {
            using var expected = _fixture.Load($"euler_ancestral.step{i:00}.noise");
            using var drawn = seeded.Draw(expected.shape, CPU, ScalarType.Float32);
            Assert.True(drawn.Equals(expected), $"draw {i} differs from PyTorch's");
        }
    }

    ISampler CreateSampler(string name, INoiseSource noise)
    {
        var schedule = NoiseSchedule.FromSchedulerConfig(_fixture.Sampler(name).GetProperty("full_config"));
        return SamplerFactory.Create(SchedulerFixture.ChoiceFor(name), schedule, _fixture.Steps, noise);
    }

    public void Dispose() => _fixture.Dispose();
}

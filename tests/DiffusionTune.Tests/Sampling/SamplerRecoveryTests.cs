using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.Diffusion.Schedules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Sampling;

/// <summary>
/// With a perfect model (one that knows x₀ and answers with the exact ε or v for whatever sample it is shown), every
/// sampler must land on x₀: this checks each update rule against the forward process, independently of diffusers.
/// </summary>
public sealed class SamplerRecoveryTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-4;

    public static TheoryData<SamplerKind, bool, PredictionType> Cases()
    {
        var cases = new TheoryData<SamplerKind, bool, PredictionType>();
        foreach (var choice in SamplerChoice.All)
            foreach (var prediction in new[] { PredictionType.Epsilon, PredictionType.VPrediction })
                cases.Add(choice.Kind, choice.Karras, prediction);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sampler_with_a_perfect_model_recovers_the_clean_sample(SamplerKind kind, bool karras, PredictionType prediction)
    {
        using var scope = NewDisposeScope();
        // ᾱ = 1 after DDIM's last step, so it ends exactly on x₀ (SD's own set_alpha_to_one=false stops at ᾱ₀ instead).
        var schedule = new NoiseSchedule(NoiseScheduleOptions.StableDiffusion1 with { PredictionType = prediction, SetAlphaToOne = true });
        using var generator = new SeededNoiseSource(7);
        var original = generator.Draw([2, 4, 8, 8], CPU, ScalarType.Float32) * 0.5;
        var noise = generator.Draw([2, 4, 8, 8], CPU, ScalarType.Float32);
        using var sampler = SamplerFactory.Create(kind, schedule, 12, karras, generator);

        var x = sampler.AddNoise(original, noise, 0);
        if (kind == SamplerKind.Ddim)
        {
            var timesteps = tensor(new[] { (long)sampler.Timesteps[0], (long)sampler.Timesteps[0] });
            TensorComparison.AssertClose(x, schedule.AddNoise(original, noise, timesteps), 1e-6, 1e-6, "DDIM start vs the schedule's forward process");
        }
        for (int i = 0; i < sampler.Timesteps.Count; i++)
        {
            var modelInput = sampler.ScaleModelInput(x, i);
            x = sampler.Step(PerfectModel(modelInput, original, ModelAlphaBar(sampler, schedule, i), prediction), i, x);
        }
        var result = TensorComparison.AssertClose(x, original, Tolerance, Tolerance, $"{new SamplerChoice(kind, karras)} ({prediction}) final vs x0");
        output.WriteLine($"{new SamplerChoice(kind, karras)} {prediction}: max |x − x0| {result.MaxAbsDiff:G3}");
    }

    [Theory]
    [InlineData(PredictionType.Epsilon)]
    [InlineData(PredictionType.VPrediction)]
    public void Stochastic_ddim_with_a_perfect_model_recovers_the_clean_sample(PredictionType prediction)
    {
        using var scope = NewDisposeScope();
        var schedule = new NoiseSchedule(NoiseScheduleOptions.StableDiffusion1 with { PredictionType = prediction, SetAlphaToOne = true });
        using var generator = new SeededNoiseSource(11);
        var original = generator.Draw([1, 4, 8, 8], CPU, ScalarType.Float32);
        var noise = generator.Draw([1, 4, 8, 8], CPU, ScalarType.Float32);
        using var sampler = new DdimSampler(schedule, 20, eta: 1.0, noise: generator);

        var x = sampler.AddNoise(original, noise, 0);
        for (int i = 0; i < sampler.Timesteps.Count; i++)
            x = sampler.Step(PerfectModel(sampler.ScaleModelInput(x, i), original, ModelAlphaBar(sampler, schedule, i), prediction), i, x);
        var result = TensorComparison.AssertClose(x, original, Tolerance, Tolerance, $"DDIM eta 1 ({prediction}) final vs x0");
        output.WriteLine($"DDIM eta=1 {prediction}: max |x − x0| {result.MaxAbsDiff:G3}");
    }

    /// <summary>
    /// The exact answer for a model input m = √ᾱ·x₀ + √(1−ᾱ)·ε: ε = (m − √ᾱ·x₀)/√(1−ᾱ), or v = √ᾱ·ε − √(1−ᾱ)·x₀,
    /// computed in float64.
    /// </summary>
    static Tensor PerfectModel(Tensor modelInput, Tensor original, double alphaBar, PredictionType prediction)
    {
        using var scope = NewDisposeScope();
        var m = modelInput.to(ScalarType.Float64);
        var x0 = original.to(ScalarType.Float64);
        double signal = Math.Sqrt(alphaBar), noiseLevel = Math.Sqrt(1 - alphaBar);
        var epsilon = (m - signal * x0) / noiseLevel;
        var answer = prediction == PredictionType.Epsilon ? epsilon : signal * epsilon - noiseLevel * x0;
        return scope.MoveToOuter(answer.to(ScalarType.Float32));
    }

    /// <summary>ᾱ of the model input at a step: from the timestep for DDIM, from σ (ᾱ = 1/(σ²+1)) for the others.</summary>
    static double ModelAlphaBar(ISampler sampler, NoiseSchedule schedule, int step)
    {
        IReadOnlyList<float>? sigmas = sampler switch
        {
            EulerSampler euler => euler.Sigmas,
            EulerAncestralSampler ancestral => ancestral.Sigmas,
            DpmSolverMultistepSampler dpm => dpm.Sigmas,
            _ => null,
        };
        return sigmas is null
            ? schedule.AlphasCumprod[(int)sampler.Timesteps[step]]
            : 1 / ((double)sigmas[step] * sigmas[step] + 1);
    }
}

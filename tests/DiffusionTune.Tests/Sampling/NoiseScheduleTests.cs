using System.Text.Json;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.IO;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Sampling;

public sealed class NoiseScheduleTests(ITestOutputHelper output) : IDisposable
{
    readonly SchedulerFixture _fixture = new();

    [Fact]
    public void Stable_diffusion_tables_match_diffusers_bit_for_bit()
    {
        var schedule = NoiseSchedule.FromSchedulerConfig(_fixture.BaseConfig);
        Assert.Equal(NoiseScheduleOptions.StableDiffusion1, schedule.Options);

        foreach (var (name, actual) in new[] { ("betas", schedule.Betas), ("alphas_cumprod", schedule.AlphasCumprod) })
        {
            var fromJson = SchedulerFixture.Numbers(_fixture.Root.GetProperty(name));
            using var fromTensors = _fixture.Load(name);
            var fromTensorFile = fromTensors.data<float>().ToArray();
            Assert.Equal(fromJson.Length, actual.Count);
            int bitIdentical = Enumerable.Range(0, actual.Count).Count(i => actual[i] == fromTensorFile[i] && actual[i] == (float)fromJson[i]);
            double maxDiff = Enumerable.Range(0, actual.Count).Max(i => Math.Abs(actual[i] - (double)fromTensorFile[i]));
            output.WriteLine($"{name}: {bitIdentical}/{actual.Count} bit-identical, max |diff| {maxDiff:G3}");
            Assert.Equal(actual.Count, bitIdentical);
        }
    }

    [Fact]
    public void Scaled_linear_schedule_matches_its_closed_form()
    {
        var schedule = NoiseSchedule.StableDiffusion1;
        double sqrtStart = Math.Sqrt(0.00085), sqrtEnd = Math.Sqrt(0.012);
        AssertMatchesClosedForm(schedule, t => Math.Pow(sqrtStart + (sqrtEnd - sqrtStart) * t / 999.0, 2));
    }

    [Fact]
    public void Linear_schedule_matches_its_closed_form()
    {
        var schedule = new NoiseSchedule(new NoiseScheduleOptions { BetaSchedule = BetaSchedule.Linear, BetaStart = 1e-4, BetaEnd = 0.02 });
        AssertMatchesClosedForm(schedule, t => 1e-4 + (0.02 - 1e-4) * t / 999.0);
    }

    [Fact]
    public void Cosine_schedule_matches_its_closed_form()
    {
        var schedule = new NoiseSchedule(new NoiseScheduleOptions { BetaSchedule = BetaSchedule.SquaredCosCapV2 });
        static double AlphaBar(double s) => Math.Pow(Math.Cos((s + 0.008) / 1.008 * Math.PI / 2), 2);
        AssertMatchesClosedForm(schedule, t => Math.Min(1 - AlphaBar((t + 1) / 1000.0) / AlphaBar(t / 1000.0), 0.999));
        Assert.Equal(0.999f, schedule.Betas[^1]);
    }

    [Fact]
    public void Zero_terminal_snr_rescaling_ends_in_pure_noise_and_keeps_the_first_step()
    {
        var plain = NoiseSchedule.StableDiffusion1;
        var rescaled = new NoiseSchedule(NoiseScheduleOptions.StableDiffusion1 with { RescaleBetasZeroSnr = true });
        Assert.Equal(0f, rescaled.AlphasCumprod[^1]);
        Assert.Equal(plain.AlphasCumprod[0], rescaled.AlphasCumprod[0], 1e-6f);
        // √ᾱ is mapped affinely: (√ᾱ − √ᾱ_T) · √ᾱ_0 / (√ᾱ_0 − √ᾱ_T).
        double first = Math.Sqrt(plain.AlphasCumprod[0]), last = Math.Sqrt(plain.AlphasCumprod[^1]);
        for (int t = 0; t < 1000; t += 37)
        {
            double expected = (Math.Sqrt(plain.AlphasCumprod[t]) - last) * first / (first - last);
            Assert.Equal(expected, Math.Sqrt(rescaled.AlphasCumprod[t]), 1e-5);
        }
    }

    [Fact]
    public void Reads_diffusers_scheduler_configs_from_files()
    {
        var folder = TestPaths.TempFolder();
        var sd15 = Path.Combine(folder, "sd15.json");
        File.WriteAllText(sd15, """
            {
              "_class_name": "PNDMScheduler",
              "_diffusers_version": "0.6.0",
              "beta_end": 0.012,
              "beta_schedule": "scaled_linear",
              "beta_start": 0.00085,
              "num_train_timesteps": 1000,
              "set_alpha_to_one": false,
              "skip_prk_steps": true,
              "steps_offset": 1,
              "trained_betas": null,
              "clip_sample": false
            }
            """);
        Assert.Equal(NoiseScheduleOptions.StableDiffusion1, NoiseSchedule.FromSchedulerConfig(sd15).Options);

        var sd21 = Path.Combine(folder, "sd21.json");
        File.WriteAllText(sd21, """
            {
              "_class_name": "DDIMScheduler",
              "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
              "clip_sample": false, "num_train_timesteps": 1000, "prediction_type": "v_prediction",
              "set_alpha_to_one": false, "steps_offset": 1, "timestep_spacing": "trailing",
              "rescale_betas_zero_snr": true
            }
            """);
        var options = NoiseSchedule.FromSchedulerConfig(sd21).Options;
        Assert.Equal(PredictionType.VPrediction, options.PredictionType);
        Assert.Equal(TimestepSpacing.Trailing, options.TimestepSpacing);
        Assert.True(options.RescaleBetasZeroSnr);

        var trained = Path.Combine(folder, "trained.json");
        File.WriteAllText(trained, """{ "num_train_timesteps": 3, "trained_betas": [0.1, 0.2, 0.3] }""");
        var schedule = NoiseSchedule.FromSchedulerConfig(trained);
        Assert.Equal([0.1f, 0.2f, 0.3f], schedule.Betas);
        Assert.Equal(0.9 * 0.8 * 0.7, schedule.AlphasCumprod[2], 1e-6);
    }

    [Theory]
    [InlineData("""{ "beta_schedule": "sigmoid" }""", "beta_schedule 'sigmoid'")]
    [InlineData("""{ "beta_start": "small" }""", "\"beta_start\" must be a number")]
    [InlineData("""{ "num_train_timesteps": 10.5 }""", "\"num_train_timesteps\" must be an integer")]
    [InlineData("""{ "prediction_type": "flow" }""", "prediction_type 'flow'")]
    [InlineData("""{ "thresholding": true }""", "thresholding")]
    [InlineData("""{ "beta_start": 0.5, "beta_end": 0.1 }""", "beta_start 0.5 and beta_end 0.1")]
    [InlineData("""[1, 2]""", "a JSON object")]
    [InlineData("""{ "beta_start": """, "not a usable scheduler config")]
    public void Unusable_configs_are_reported_with_the_file_name(string json, string problem)
    {
        var path = Path.Combine(TestPaths.TempFolder(), "scheduler_config.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<ModelFileException>(() => NoiseSchedule.FromSchedulerConfig(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Missing_config_file_is_reported()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "absent.json");
        Assert.Contains("file not found", Assert.Throws<ModelFileException>(() => NoiseSchedule.FromSchedulerConfig(path)).Message);
    }

    [Fact]
    public void Training_helpers_follow_the_forward_process()
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.StableDiffusion1;
        long[] steps = [0, 500, 999];
        var timesteps = tensor(steps);
        var original = randn(3, 4, 2, 2);
        var noise = randn(3, 4, 2, 2);

        var noisy = schedule.AddNoise(original, noise, timesteps);
        var velocity = schedule.Velocity(original, noise, timesteps);
        var snr = schedule.Snr(timesteps);
        for (int b = 0; b < steps.Length; b++)
        {
            double alphaBar = schedule.AlphasCumprod[(int)steps[b]];
            double signal = Math.Sqrt(alphaBar), noiseLevel = Math.Sqrt(1 - alphaBar);
            TensorComparison.AssertClose(noisy[b], signal * original[b] + noiseLevel * noise[b], 1e-6, 1e-6, $"AddNoise at t={steps[b]}");
            TensorComparison.AssertClose(velocity[b], signal * noise[b] - noiseLevel * original[b], 1e-6, 1e-6, $"Velocity at t={steps[b]}");
            Assert.Equal(alphaBar / (1 - alphaBar), snr[b].item<float>(), 1e-4 * alphaBar / (1 - alphaBar));
            // x₀ = √ᾱ·x_t − √(1−ᾱ)·v: what a v-prediction model's output is decoded with.
            TensorComparison.AssertClose(signal * noisy[b] - noiseLevel * velocity[b], original[b], 1e-5, 1e-5, $"x0 from v at t={steps[b]}");
        }
        Assert.Equal(ScalarType.Float32, snr.dtype);
        Assert.Equal([3L], snr.shape);
    }

    [Theory]
    [InlineData(PredictionType.Epsilon)]
    [InlineData(PredictionType.VPrediction)]
    [InlineData(PredictionType.Sample)]
    public void Training_target_follows_the_prediction_type(PredictionType prediction)
    {
        using var scope = NewDisposeScope();
        var schedule = new NoiseSchedule(NoiseScheduleOptions.StableDiffusion1 with { PredictionType = prediction });
        var timesteps = tensor(new long[] { 10, 900 });
        var original = randn(2, 4, 3, 3);
        var noise = randn(2, 4, 3, 3);
        var expected = prediction switch
        {
            PredictionType.Epsilon => noise,
            PredictionType.VPrediction => schedule.Velocity(original, noise, timesteps),
            _ => original,
        };
        Assert.True(schedule.TrainingTarget(original, noise, timesteps).Equals(expected));
    }

    [Fact]
    public void Training_helpers_keep_bfloat16_inputs_in_bfloat16()
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.StableDiffusion1;
        var timesteps = tensor(new long[] { 1, 998 });
        var original = randn(2, 4, 3, 3);
        var noise = randn(2, 4, 3, 3);
        var noisy = schedule.AddNoise(original.to(ScalarType.BFloat16), noise.to(ScalarType.BFloat16), timesteps);
        Assert.Equal(ScalarType.BFloat16, noisy.dtype);
        TensorComparison.AssertClose(noisy, schedule.AddNoise(original, noise, timesteps), 1e-2, 1e-2, "bfloat16 AddNoise");
        Assert.Equal(ScalarType.BFloat16, schedule.Velocity(original.to(ScalarType.BFloat16), noise.to(ScalarType.BFloat16), timesteps).dtype);
    }

    [Fact]
    public void Timesteps_must_be_integer_indices_one_per_batch_item()
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.StableDiffusion1;
        var sample = randn(2, 4, 3, 3);
        Assert.Throws<ArgumentException>(() => schedule.AddNoise(sample, sample, tensor(new[] { 1f, 2f })));
        Assert.Throws<ArgumentException>(() => schedule.AddNoise(sample, sample, tensor(new long[] { 1, 2, 3 })));
    }

    static void AssertMatchesClosedForm(NoiseSchedule schedule, Func<int, double> beta)
    {
        double alphaBar = 1;
        for (int t = 0; t < schedule.NumTrainTimesteps; t++)
        {
            alphaBar *= 1 - beta(t);
            Assert.True(Math.Abs(schedule.Betas[t] - beta(t)) <= 1e-6 * beta(t), $"beta[{t}] {schedule.Betas[t]:R} vs {beta(t):R}");
            Assert.True(Math.Abs(schedule.AlphasCumprod[t] - alphaBar) <= 1e-6, $"alphas_cumprod[{t}] {schedule.AlphasCumprod[t]:R} vs {alphaBar:R}");
        }
    }

    public void Dispose() => _fixture.Dispose();
}

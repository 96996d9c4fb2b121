using System.Text.Json;
using DiffusionTune.IO;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Schedules;

/// <summary>
/// The discrete forward (noising) process of a diffusion model: β<sub>t</sub> and ᾱ<sub>t</sub> = ∏(1−β) for the
/// training timesteps t = 0 … T−1, with the training-side helpers built on them. Immutable and shareable. The
/// tables are computed in managed code that reproduces the float32 torch CPU kernels diffusers runs, so they match
/// diffusers' tables bit for bit and do not depend on the CPU or libtorch build.
/// </summary>
public sealed class NoiseSchedule
{
    readonly float[] _betas;
    readonly float[] _alphasCumprod;

    /// <summary>Builds the schedule the options describe.</summary>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="NoiseScheduleOptions.Validate"/>).</exception>
    public NoiseSchedule(NoiseScheduleOptions options)
    {
        options.Validate();
        Options = options;
        (_betas, _alphasCumprod) = ComputeTables(options);
    }

    /// <summary>The Stable Diffusion 1.x schedule (scaled_linear, β 0.00085 … 0.012, 1000 steps, epsilon).</summary>
    public static NoiseSchedule StableDiffusion1 { get; } = new(NoiseScheduleOptions.StableDiffusion1);

    /// <summary>Reads a diffusers <c>scheduler/scheduler_config.json</c>.</summary>
    /// <exception cref="ModelFileException">The file is missing, is not JSON, or holds unusable settings.</exception>
    public static NoiseSchedule FromSchedulerConfig(string path)
    {
        if (!File.Exists(path)) throw new ModelFileException(path, "file not found");
        try
        {
            using var document = JsonDocument.Parse(FileAccessException.Guard(path, "read", () => File.ReadAllBytes(path)));
            return FromSchedulerConfig(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException or NotSupportedException or ArgumentException)
        {
            throw new ModelFileException(path, $"not a usable scheduler config: {e.Message}", e);
        }
    }

    /// <summary>Builds the schedule from a parsed diffusers scheduler config (see <see cref="NoiseScheduleOptions.FromSchedulerConfig"/>).</summary>
    public static NoiseSchedule FromSchedulerConfig(JsonElement config) => new(NoiseScheduleOptions.FromSchedulerConfig(config));

    /// <summary>The settings this schedule was built from.</summary>
    public NoiseScheduleOptions Options { get; }

    /// <summary>T, the number of training timesteps.</summary>
    public int NumTrainTimesteps => Options.NumTrainTimesteps;

    /// <summary>What the model trained on this schedule predicts.</summary>
    public PredictionType PredictionType => Options.PredictionType;

    /// <summary>β<sub>t</sub> for t = 0 … T−1 (float32, as diffusers stores them).</summary>
    public IReadOnlyList<float> Betas => _betas;

    /// <summary>ᾱ<sub>t</sub> = ∏<sub>s≤t</sub>(1−β<sub>s</sub>) for t = 0 … T−1 (float32, as diffusers stores them).</summary>
    public IReadOnlyList<float> AlphasCumprod => _alphasCumprod;

    /// <summary>
    /// The forward process q(x<sub>t</sub>|x₀): √ᾱ<sub>t</sub>·x₀ + √(1−ᾱ<sub>t</sub>)·noise, one timestep per batch item.
    /// Computed in float32 and returned in <paramref name="original"/>'s dtype, on its device.
    /// </summary>
    /// <param name="original">Clean samples x₀, shape [B, …].</param>
    /// <param name="noise">Standard normal noise of the same shape.</param>
    /// <param name="timesteps">Integer training timesteps, shape [B].</param>
    public Tensor AddNoise(Tensor original, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var (signal, noiseLevel) = Coefficients(original, timesteps);
        var noisy = signal * original.to(ScalarType.Float32) + noiseLevel * noise.to(ScalarType.Float32);
        return scope.MoveToOuter(noisy.to(original.dtype));
    }

    /// <summary>
    /// The v-prediction target √ᾱ<sub>t</sub>·noise − √(1−ᾱ<sub>t</sub>)·x₀ (Salimans and Ho), one timestep per batch item;
    /// float32 math, returned in <paramref name="original"/>'s dtype.
    /// </summary>
    public Tensor Velocity(Tensor original, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var (signal, noiseLevel) = Coefficients(original, timesteps);
        var velocity = signal * noise.to(ScalarType.Float32) - noiseLevel * original.to(ScalarType.Float32);
        return scope.MoveToOuter(velocity.to(original.dtype));
    }

    /// <summary>
    /// The signal-to-noise ratio ᾱ<sub>t</sub> / (1−ᾱ<sub>t</sub>) per timestep (for min-SNR-γ loss weighting):
    /// float32, shape [B], on <paramref name="timesteps"/>' device.
    /// </summary>
    public Tensor Snr(Tensor timesteps)
    {
        CheckTimesteps(timesteps, batch: null);
        using var scope = NewDisposeScope();
        var alphaBar = GatherAlphasCumprod(timesteps, timesteps.device);
        return scope.MoveToOuter(alphaBar / (1.0 - alphaBar));
    }

    /// <summary>
    /// Min-SNR-γ loss weights (Hang et al. 2023) per timestep: min(SNR, γ)/SNR for ε-prediction, min(SNR, γ)/(SNR + 1)
    /// for v-prediction, min(SNR, γ) for sample prediction. Caps the weight of the easy, low-noise timesteps.
    /// </summary>
    public Tensor MinSnrWeights(Tensor timesteps, double gamma)
    {
        using var scope = NewDisposeScope();
        var snr = Snr(timesteps);
        var capped = snr.clamp(max: gamma);
        var weights = PredictionType switch
        {
            PredictionType.VPrediction => capped / (snr + 1),
            PredictionType.Epsilon => capped / snr,
            _ => capped,
        };
        return scope.MoveToOuter(weights);
    }

    /// <summary>
    /// What the model should output for the noisy sample <c>AddNoise(original, noise, timesteps)</c> under this
    /// schedule's <see cref="PredictionType"/>: the noise, the velocity, or the clean sample, in
    /// <paramref name="original"/>'s dtype. The result may share storage with an input.
    /// </summary>
    public Tensor TrainingTarget(Tensor original, Tensor noise, Tensor timesteps) => PredictionType switch
    {
        PredictionType.Epsilon => noise.to(original.dtype),
        PredictionType.VPrediction => Velocity(original, noise, timesteps),
        PredictionType.Sample => original.alias(),
        _ => throw new InvalidOperationException($"unknown prediction type {PredictionType}"),
    };

    /// <summary>√ᾱ and √(1−ᾱ) per batch item, float32, shaped to broadcast against <paramref name="sample"/>.</summary>
    (Tensor Signal, Tensor Noise) Coefficients(Tensor sample, Tensor timesteps)
    {
        CheckTimesteps(timesteps, sample.shape[0]);
        var alphaBar = GatherAlphasCumprod(timesteps, sample.device);
        var broadcastShape = new long[sample.dim()];
        Array.Fill(broadcastShape, 1L);
        broadcastShape[0] = sample.shape[0];
        alphaBar = alphaBar.view(broadcastShape);
        return (alphaBar.sqrt(), (1.0 - alphaBar).sqrt());
    }

    Tensor GatherAlphasCumprod(Tensor timesteps, Device device) =>
        tensor(_alphasCumprod, device: device).index_select(0, timesteps.to(ScalarType.Int64, device));

    void CheckTimesteps(Tensor timesteps, long? batch)
    {
        if (timesteps.dtype is not (ScalarType.Int64 or ScalarType.Int32))
            throw new ArgumentException($"timesteps must be an integer tensor of training timestep indices, not {timesteps.dtype}", nameof(timesteps));
        if (timesteps.dim() != 1 || (batch is not null && timesteps.shape[0] != batch))
            throw new ArgumentException(
                $"timesteps must have shape [{batch?.ToString() ?? "B"}] (one per batch item), not [{string.Join(", ", timesteps.shape)}]",
                nameof(timesteps));
    }

    static (float[] Betas, float[] AlphasCumprod) ComputeTables(NoiseScheduleOptions options)
    {
        var betas = options.TrainedBetas?.ToArray() ?? InitialBetas(options);
        if (options.RescaleBetasZeroSnr) betas = RescaleToZeroTerminalSnr(betas);
        return (betas, CumulativeProduct(betas.Select(beta => 1f - beta).ToArray()));
    }

    static float[] InitialBetas(NoiseScheduleOptions options)
    {
        int count = options.NumTrainTimesteps;
        switch (options.BetaSchedule)
        {
            case BetaSchedule.Linear:
                return TorchLinspace((float)options.BetaStart, (float)options.BetaEnd, count);
            case BetaSchedule.ScaledLinear:
                var roots = TorchLinspace((float)Math.Sqrt(options.BetaStart), (float)Math.Sqrt(options.BetaEnd), count);
                return roots.Select(root => root * root).ToArray();
            case BetaSchedule.SquaredCosCapV2:
                return CosineBetas(count);
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.BetaSchedule, "unknown beta schedule");
        }
    }

    /// <summary>
    /// <c>torch.linspace(start, end, count, dtype=float32)</c> as PyTorch's AVX2 CPU kernel computes it, which is what
    /// produced diffusers' reference tables: the first half counts up from start, the second down from end; values
    /// come in 8-lane vectors (two per loop iteration, the remainder one by one), each vector's base and lanes formed
    /// with fused multiply-adds. Doing it here rather than through libtorch makes the table the same on every CPU.
    /// </summary>
    static float[] TorchLinspace(float start, float end, int count)
    {
        const int lanes = 8;
        var values = new float[count];
        if (count == 1)
        {
            values[0] = start;
            return values;
        }
        float step = (end - start) / (count - 1);
        int halfway = count / 2;
        float At(int index) => index < halfway
            ? MathF.FusedMultiplyAdd(step, index, start)
            : MathF.FusedMultiplyAdd(-step, count - index - 1, end);

        int vectorized = count - count % (2 * lanes);
        for (int chunk = 0; chunk < vectorized; chunk += lanes)
        {
            float chunkBase = At(chunk);
            for (int lane = 0; lane < lanes; lane++) values[chunk + lane] = MathF.FusedMultiplyAdd(lane, step, chunkBase);
        }
        for (int index = vectorized; index < count; index++) values[index] = At(index);
        return values;
    }

    /// <summary><c>torch.cumprod</c> of float32 values on the CPU: accumulated in double, each partial product stored as float32.</summary>
    static float[] CumulativeProduct(float[] values)
    {
        var products = new float[values.Length];
        double product = 1;
        for (int i = 0; i < values.Length; i++)
        {
            product *= values[i];
            products[i] = (float)product;
        }
        return products;
    }

    /// <summary>β<sub>t</sub> = min(1 − ᾱ(t+1)/ᾱ(t), 0.999) for the cosine ᾱ(s) = cos²((s/T + 0.008)/1.008 · π/2), in double.</summary>
    static float[] CosineBetas(int count)
    {
        static double AlphaBar(double fraction) => Math.Pow(Math.Cos((fraction + 0.008) / 1.008 * Math.PI / 2), 2);
        var betas = new float[count];
        for (int i = 0; i < count; i++)
            betas[i] = (float)Math.Min(1 - AlphaBar((i + 1) / (double)count) / AlphaBar(i / (double)count), 0.999);
        return betas;
    }

    /// <summary>
    /// Algorithm 1 of "Common Diffusion Noise Schedules and Sample Steps are Flawed": shift √ᾱ so the last is 0 and
    /// scale it so the first is unchanged, then recover the betas (float32 steps in diffusers' order).
    /// </summary>
    static float[] RescaleToZeroTerminalSnr(float[] betas)
    {
        var sqrtAlphaBar = CumulativeProduct(betas.Select(beta => 1f - beta).ToArray()).Select(MathF.Sqrt).ToArray();
        float first = sqrtAlphaBar[0], last = sqrtAlphaBar[^1];
        float scale = first / (first - last);
        var alphaBar = sqrtAlphaBar.Select(root => (root - last) * scale).Select(root => root * root).ToArray();
        var rescaled = new float[betas.Length];
        rescaled[0] = 1f - alphaBar[0];
        for (int t = 1; t < rescaled.Length; t++) rescaled[t] = 1f - alphaBar[t] / alphaBar[t - 1];
        return rescaled;
    }
}

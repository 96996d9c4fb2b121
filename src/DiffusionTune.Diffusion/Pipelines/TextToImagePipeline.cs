using DiffusionTune.Diffusion.Samplers;
using static TorchSharp.torch;

namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>
/// Text-to-image sampling with classifier-free guidance, as diffusers' StableDiffusionPipeline does it: start from
/// seeded noise, denoise with the chosen sampler, decode with the VAE. Latents are kept in float32 between steps; the
/// models compute in the model's dtype. Prompt-gated adapters (<see cref="StableDiffusionModel.Gates"/>) are opened
/// around every text-encoder and UNet call for the prompts of that call's rows.
/// </summary>
public sealed class TextToImagePipeline
{
    readonly StableDiffusionModel _model;

    public TextToImagePipeline(StableDiffusionModel model) => _model = model;

    /// <summary>Called after each step with (steps done, total steps).</summary>
    public delegate void StepCallback(int done, int total);

    /// <summary>Generates the batch; returns CPU float32 images [B, 3, H, W] in [-1, 1].</summary>
    public Tensor Generate(GenerationRequest request, StepCallback? onStep = null, CancellationToken cancellation = default)
    {
        request.Validate(_model);
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var encoder = new PromptEncoder(_model.Tokenizer, _model.TextEncoder, request.ClipSkip, request.LongPrompts, _model.Gates);
        var prompts = request.Prompts.ToArray();
        var negatives = Enumerable.Repeat(request.NegativePrompt, request.BatchSize).ToArray();
        var (positive, negative) = encoder.EncodePair(prompts, negatives);

        using var noise = new BatchNoiseSource(request.Seeds);
        long[] latentShape = [request.BatchSize, _model.Unet.Config.InChannels, request.Height / _model.VaeScaleFactor, request.Width / _model.VaeScaleFactor];
        var latents = Denoise(positive, negative, request.GuidanceScale, request.Sampler, request.Steps, latentShape, noise, onStep, cancellation, prompts);
        return scope.MoveToOuter(Decode(latents));
    }

    /// <summary>
    /// The sampling loop: from <paramref name="noise"/>'s first draw (scaled by the sampler's initial sigma) to clean
    /// latents, guided by <paramref name="positive"/> against <paramref name="negative"/>. Returns float32 latents.
    /// </summary>
    /// <param name="prompts">
    /// The prompt of each latent, which opens the model's prompt-gated adapters for both its passes (the unconditional
    /// one too); needed only when the model has gated adapters.
    /// </param>
    public Tensor Denoise(Tensor positive, Tensor negative, double guidanceScale, SamplerChoice samplerChoice, int steps,
        long[] latentShape, INoiseSource noise, StepCallback? onStep = null, CancellationToken cancellation = default, IReadOnlyList<string>? prompts = null)
    {
        using var scope = NewDisposeScope();
        using var sampler = SamplerFactory.Create(samplerChoice, _model.Schedule, steps, noise);
        var device = _model.Device;
        var dtype = _model.Dtype;
        bool guided = guidanceScale != 1.0;
        var context = guided ? cat([negative, positive], 0).to(dtype) : positive.to(dtype);
        // The UNet's rows are [negatives…, positives…] when guided; both halves belong to the same images' prompts.
        IReadOnlyList<string>? rowPrompts = prompts is null ? null : guided ? [.. prompts, .. prompts] : prompts;

        var latents = noise.Draw(latentShape, device, ScalarType.Float32) * sampler.InitNoiseSigma;
        for (int i = 0; i < sampler.Timesteps.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            var input = sampler.ScaleModelInput(latents, i).to(dtype);
            var timestep = tensor(sampler.Timesteps[i], ScalarType.Float32, device);
            Tensor prediction;
            using var gates = _model.Gates.Open(rowPrompts);
            if (guided)
            {
                var both = _model.Unet.call(cat([input, input], 0), timestep, context).to(ScalarType.Float32).chunk(2, 0);
                prediction = both[0] + (both[1] - both[0]) * guidanceScale;
            }
            else
            {
                prediction = _model.Unet.call(input, timestep, context).to(ScalarType.Float32);
            }
            var next = stepScope.MoveToOuter(sampler.Step(prediction, i, latents));
            latents.Dispose();
            latents = next;
            onStep?.Invoke(i + 1, sampler.Timesteps.Count);
        }
        return scope.MoveToOuter(latents);
    }

    /// <summary>Decodes float32 latents (UNet space) to CPU float32 images in [-1, 1].</summary>
    public Tensor Decode(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var config = _model.Vae.Config;
        var vaeDtype = _model.Vae.parameters().First().dtype;
        var raw = latents / config.ScalingFactor;
        if (config.ShiftFactor is double shift) raw = raw + shift;
        var images = _model.Vae.Decode(raw.to(vaeDtype)).to(ScalarType.Float32).cpu();
        return scope.MoveToOuter(images);
    }
}

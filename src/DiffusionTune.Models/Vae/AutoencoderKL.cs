using DiffusionTune.Models.Blocks;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Loading;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Vae;

/// <summary>
/// Stable Diffusion's KL autoencoder (diffusers' <c>AutoencoderKL</c>): images in [-1, 1] ↔ latents. Latents are
/// multiplied by <see cref="AutoencoderKLConfig.ScalingFactor"/> before the UNet sees them; that is the caller's job,
/// as in diffusers.
/// </summary>
public sealed class AutoencoderKL : nn.Module<Tensor, Tensor>
{
    public const string WeightsBaseName = "diffusion_pytorch_model";

    private readonly Encoder encoder;
    private readonly Decoder decoder;
    private readonly SafeConv2d? quant_conv;
    private readonly SafeConv2d? post_quant_conv;

    public AutoencoderKL(AutoencoderKLConfig config) : base(nameof(AutoencoderKL))
    {
        config.Validate();
        Config = config;
        encoder = new Encoder(config);
        decoder = new Decoder(config);
        if (config.UseQuantConv)
            quant_conv = Layers.Conv2d(2 * config.LatentChannels, 2 * config.LatentChannels, 1);
        if (config.UsePostQuantConv)
            post_quant_conv = Layers.Conv2d(config.LatentChannels, config.LatentChannels, 1);
        RegisterComponents();
    }

    public AutoencoderKLConfig Config { get; }

    /// <summary>Loads a diffusers <c>vae/</c> folder, accepting the legacy attention names some SD files still use.</summary>
    public static AutoencoderKL FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
        PretrainedComponent.Load<AutoencoderKL, AutoencoderKLConfig>(
            folder, WeightsBaseName, ModelComponent.Vae, c => new AutoencoderKL(c), device ?? CPU, dtype).Model;

    public void SavePretrained(string folder, IReadOnlyDictionary<string, string>? metadata = null) =>
        PretrainedComponent.Save(folder, WeightsBaseName, Config, this, metadata);

    /// <summary>Encodes [B, 3, H, W] images in [-1, 1] to the latent distribution.</summary>
    public LatentDistribution Encode(Tensor image)
    {
        using var scope = NewDisposeScope();
        var moments = encoder.call(image);
        if (quant_conv is not null) moments = quant_conv.call(moments);
        var distribution = new LatentDistribution(moments);
        scope.MoveToOuter(distribution.Mean, distribution.LogVariance, distribution.Std);
        return distribution;
    }

    /// <summary>Decodes raw (unscaled) latents to images in roughly [-1, 1].</summary>
    public Tensor Decode(Tensor latent)
    {
        using var scope = NewDisposeScope();
        if (post_quant_conv is not null) latent = post_quant_conv.call(latent);
        return scope.MoveToOuter(decoder.call(latent));
    }

    /// <summary>Reconstruction through the posterior mean (what diffusers' forward does with sample_posterior=False).</summary>
    public override Tensor forward(Tensor image)
    {
        using var distribution = Encode(image);
        return Decode(distribution.Mean);
    }
}

using DiffusionTune.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// Makes crisp renders look a little like what a diffusion model draws, so the classifier trained on renders still
/// reads generated images: a slight Gaussian blur (a VAE decoder softens edges), a colour cast (generated colours
/// drift), and pixel noise (sampling leaves grain). Each image draws its own amounts. The colour shift stays far
/// inside each colour's band: with the palette's own jitter a channel moves at most 8 + 6 levels from its base
/// value, while the closest named colours differ by about 75 levels in some channel.
/// </summary>
public static class DiffusionLikeAugmentation
{
    /// <summary>Share of images that are blurred at all; the rest keep their sharp edges, as a well-trained model's.</summary>
    public const double BlurProbability = 0.5;

    /// <summary>Range of the blur's standard deviation, in pixels of a 64×64 image.</summary>
    public const double MinBlurSigma = 0.3, MaxBlurSigma = 1.0;

    /// <summary>The largest colour offset per channel, in 8-bit levels.</summary>
    public const double MaxColorShift = 6;

    /// <summary>The largest standard deviation of the added noise, in 8-bit levels.</summary>
    public const double MaxNoise = 4;

    const int BlurRadius = 2;
    // One 8-bit level in the [-1, 1] range the models work in.
    const double Level = 2.0 / 255;

    /// <summary>Augments images [B, 3, H, W] in [-1, 1] (float32, CPU) with amounts drawn from <paramref name="random"/>.</summary>
    public static Tensor Apply(Tensor images, Generator random)
    {
        using var scope = NewDisposeScope();
        long batch = images.shape[0];
        var blurred = Blur(images, random);
        var shift = (rand([batch, 3, 1, 1], generator: random) * 2 - 1) * (MaxColorShift * Level);
        var noiseLevel = rand([batch, 1, 1, 1], generator: random) * (MaxNoise * Level);
        var noise = randn(images.shape, generator: random) * noiseLevel;
        return scope.MoveToOuter((blurred + shift + noise).clamp(-1, 1));
    }

    /// <summary>A separable Gaussian blur with a radius-2 kernel, of its own width per image (zero width for unblurred ones).</summary>
    static Tensor Blur(Tensor images, Generator random)
    {
        long batch = images.shape[0], height = images.shape[2], width = images.shape[3];
        var blurs = rand([batch], generator: random) < BlurProbability;
        var sigma = rand([batch], generator: random) * (MaxBlurSigma - MinBlurSigma) + MinBlurSigma;
        var offsets = arange(-BlurRadius, BlurRadius + 1, ScalarType.Float32);
        var weights = (-(offsets.square().unsqueeze(0)) / (2 * sigma.square().unsqueeze(1))).exp();
        // An unblurred image gets the identity kernel: all weight on the centre tap.
        var identity = (offsets == 0).to(ScalarType.Float32).unsqueeze(0).expand(batch, -1);
        weights = where(blurs.unsqueeze(1), weights, identity);
        weights = weights / weights.sum(1, keepdim: true);
        // One kernel per image, shared by its three channels: a grouped convolution over B·3 channels.
        var kernels = weights.repeat_interleave(3, dim: 0);
        var flat = images.reshape(1, batch * 3, height, width);
        var padded = nn.functional.pad(flat, [BlurRadius, BlurRadius, BlurRadius, BlurRadius], PaddingModes.Reflect);
        var rows = SafeConvolution.Conv2d(padded, kernels.reshape(batch * 3, 1, 1, 2 * BlurRadius + 1), groups: batch * 3);
        var both = SafeConvolution.Conv2d(rows, kernels.reshape(batch * 3, 1, 2 * BlurRadius + 1, 1), groups: batch * 3);
        return both.reshape(batch, 3, height, width);
    }
}

using System.Globalization;
using DiffusionTune.Diffusion.Samplers;

namespace DiffusionTune.Training.Data;

/// <summary>What <see cref="ClassImageGenerator"/> generates: <see cref="Count"/> images of the class prompt, image i with seed <see cref="Seed"/> + i.</summary>
public sealed record ClassImageSettings
{
    /// <summary>The prompt without the concept's identifier, such as <c>a photo of star</c>.</summary>
    public required string ClassPrompt { get; init; }

    /// <summary>The negative prompt.</summary>
    public string NegativePrompt { get; init; } = "";

    /// <summary>How many class images the run uses (diffusers' num_class_images; 100–300 is usual).</summary>
    public required int Count { get; init; }

    /// <summary>The square side of the images, in pixels.</summary>
    public required int Resolution { get; init; }

    /// <summary>Sampling steps.</summary>
    public int Steps { get; init; } = 25;

    /// <summary>Classifier-free guidance scale.</summary>
    public double GuidanceScale { get; init; } = 7.5;

    /// <summary>The sampler.</summary>
    public SamplerChoice Sampler { get; init; } = new(SamplerKind.DpmPlusPlus2M, Karras: true);

    /// <summary>The seed of image 0; image i uses Seed + i.</summary>
    public long Seed { get; init; }

    /// <summary>Images per generation call.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClassPrompt)) throw new ArgumentException("the class prompt is empty: prior preservation needs a prompt such as 'a photo of star'");
        if (Count < 1) throw new ArgumentException($"the number of class images must be at least 1 (got {Count})");
        if (BatchSize < 1) throw new ArgumentException($"the class image batch size must be at least 1 (got {BatchSize})");
    }

    /// <summary>Every setting that changes the images except the seed (which each file name carries), as stable text.</summary>
    internal string ImageKey =>
        string.Join("\n", ClassPrompt.Trim(), NegativePrompt.Trim(), Resolution.ToString(CultureInfo.InvariantCulture),
            Sampler.ShortName, Steps.ToString(CultureInfo.InvariantCulture), GuidanceScale.ToString("R", CultureInfo.InvariantCulture));
}

using System.Globalization;
using DiffusionTune.IO.Formats;

namespace DiffusionTune.Models.Merging;

/// <summary>
/// How far to move each tensor (or adapter layer) of a model from a base towards a tuned version: an α per tensor,
/// decided by where the tensor sits. UNet tensors take their block's α (<see cref="Input"/>, <see cref="Middle"/>,
/// <see cref="Output"/>, each <see cref="Global"/> when unset) times their kind's factor (<see cref="Attention"/> for
/// spatial-transformer tensors, <see cref="Resnet"/> for resnet tensors, 1 when unset and for everything else); the
/// text encoder takes <see cref="TextEncoder"/> and the VAE <see cref="Vae"/>, each <see cref="Global"/> when unset.
/// Written compactly as <c>0.6</c> or <c>0.6,in=0.5,mid=0.8,out=1,attn=1,resnet=0.5,te=0,vae=0</c> (<see cref="Parse"/>).
/// </summary>
public sealed record BlockWeights
{
    /// <summary>The α of everything no other entry sets (1 when the spec gives no bare number).</summary>
    public double Global { get; init; } = 1.0;

    /// <summary>The α of the UNet's input side: conv_in, the time embedding and the down blocks.</summary>
    public double? Input { get; init; }

    /// <summary>The α of the UNet's mid block.</summary>
    public double? Middle { get; init; }

    /// <summary>The α of the UNet's output side: the up blocks, conv_norm_out and conv_out.</summary>
    public double? Output { get; init; }

    /// <summary>A factor on the block α of every UNet tensor inside a spatial transformer.</summary>
    public double? Attention { get; init; }

    /// <summary>A factor on the block α of every UNet tensor inside a resnet.</summary>
    public double? Resnet { get; init; }

    /// <summary>The α of the text encoder.</summary>
    public double? TextEncoder { get; init; }

    /// <summary>The α of the VAE.</summary>
    public double? Vae { get; init; }

    /// <summary>The same α for every tensor.</summary>
    public static BlockWeights Uniform(double alpha) => new() { Global = Finite(alpha, "the global α") };

    /// <summary>The α of <paramref name="name"/> (a parameter or module path in diffusers/transformers naming) in <paramref name="component"/>.</summary>
    /// <exception cref="ArgumentException">A UNet name belongs to no UNet block.</exception>
    public double AlphaOf(ModelComponent component, string name) => component switch
    {
        ModelComponent.UNet => BlockAlpha(UNetRegions.BlockOf(name)) * KindFactor(UNetRegions.KindOf(name)),
        ModelComponent.TextEncoder => TextEncoder ?? Global,
        ModelComponent.Vae => Vae ?? Global,
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };

    /// <summary>The α of an adapted layer.</summary>
    public double AlphaOf(AdaptableModule module) => AlphaOf(module.Component, module.Name);

    double BlockAlpha(UNetBlock block) => block switch
    {
        UNetBlock.Input => Input,
        UNetBlock.Middle => Middle,
        _ => Output,
    } ?? Global;

    double KindFactor(UNetModuleKind kind) => kind switch
    {
        UNetModuleKind.Attention => Attention,
        UNetModuleKind.Resnet => Resnet,
        _ => null,
    } ?? 1.0;

    /// <summary>
    /// Parses a spec: comma-separated entries, each a bare number (the global α, at most once) or <c>key=number</c>
    /// with key <c>in</c>, <c>mid</c>, <c>out</c>, <c>attn</c>, <c>resnet</c>, <c>te</c> or <c>vae</c>. Numbers are
    /// finite and may lie outside [0, 1] (extrapolation).
    /// </summary>
    /// <exception cref="ArgumentException">The spec is empty, or an entry is not a number, names an unknown key or repeats one.</exception>
    public static BlockWeights Parse(string spec)
    {
        var entries = spec.Split(',', StringSplitOptions.TrimEntries);
        if (entries.All(e => e.Length == 0)) throw new ArgumentException("the block weights are empty: give a number such as 0.6 or entries such as in=0.5,out=1");
        var weights = new BlockWeights();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            int equals = entry.IndexOf('=');
            var key = equals < 0 ? "" : entry[..equals].Trim().ToLowerInvariant();
            var text = equals < 0 ? entry : entry[(equals + 1)..].Trim();
            if (!seen.Add(key))
                throw new ArgumentException(key.Length == 0 ? $"'{spec}' gives the global α twice" : $"'{spec}' sets '{key}' twice");
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new ArgumentException($"'{entry}' in '{spec}' is not {(key.Length == 0 ? "a number" : "key=number")}");
            value = Finite(value, $"'{entry}' in '{spec}'");
            weights = key switch
            {
                "" => weights with { Global = value },
                "in" => weights with { Input = value },
                "mid" => weights with { Middle = value },
                "out" => weights with { Output = value },
                "attn" => weights with { Attention = value },
                "resnet" => weights with { Resnet = value },
                "te" => weights with { TextEncoder = value },
                "vae" => weights with { Vae = value },
                _ => throw new ArgumentException($"'{key}' in '{spec}' is not a block: use in, mid, out, attn, resnet, te or vae"),
            };
        }
        return weights;
    }

    /// <summary>The spec that <see cref="Parse"/> reads back into these weights: the global α, then every entry set.</summary>
    public override string ToString()
    {
        var entries = new List<string> { Number(Global) };
        void Add(string key, double? value)
        {
            if (value is double set) entries.Add($"{key}={Number(set)}");
        }
        Add("in", Input);
        Add("mid", Middle);
        Add("out", Output);
        Add("attn", Attention);
        Add("resnet", Resnet);
        Add("te", TextEncoder);
        Add("vae", Vae);
        return string.Join(",", entries);
    }

    static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    static double Finite(double value, string what) =>
        double.IsFinite(value) ? value : throw new ArgumentException($"{what}: α must be a finite number");
}

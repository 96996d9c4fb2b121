namespace DiffusionTune.Diffusion.Samplers;

/// <summary>
/// A sampler as a user names it: the algorithm and whether it steps through Karras et al.'s noise levels. Parses
/// short names (<c>ddim</c>, <c>euler</c>, <c>euler_a</c>, <c>dpmpp_2m</c>, optionally suffixed <c>_karras</c>) and
/// AUTOMATIC1111's display names ("Euler a", "DPM++ 2M Karras"), and prints the latter for image metadata.
/// </summary>
/// <param name="Kind">The algorithm.</param>
/// <param name="Karras">Whether to use the Karras noise levels (not available for DDIM).</param>
public readonly record struct SamplerChoice(SamplerKind Kind, bool Karras = false)
{
    /// <summary>The name in AUTOMATIC1111's spelling, e.g. "Euler a" or "DPM++ 2M Karras" (the PNG <c>Sampler:</c> field).</summary>
    public string DisplayName => Karras ? $"{BaseDisplayName(Kind)} Karras" : BaseDisplayName(Kind);

    /// <summary>The short name accepted on the command line, e.g. <c>euler_a</c> or <c>dpmpp_2m_karras</c>.</summary>
    public string ShortName => Karras ? $"{BaseShortName(Kind)}_karras" : BaseShortName(Kind);

    /// <summary>Reads a short or display name; case, spaces, hyphens and underscores do not matter.</summary>
    public static bool TryParse(string? text, out SamplerChoice choice)
    {
        choice = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var key = new string(text.ToLowerInvariant().Replace("++", "pp").Where(char.IsAsciiLetterOrDigit).ToArray());
        bool karras = key.EndsWith("karras", StringComparison.Ordinal);
        if (karras) key = key[..^"karras".Length];
        SamplerKind? kind = key switch
        {
            "ddim" => SamplerKind.Ddim,
            "euler" => SamplerKind.Euler,
            "eulera" or "eulerancestral" => SamplerKind.EulerAncestral,
            "dpmpp2m" => SamplerKind.DpmPlusPlus2M,
            _ => null,
        };
        if (kind is null || (karras && kind == SamplerKind.Ddim)) return false;
        choice = new SamplerChoice(kind.Value, karras);
        return true;
    }

    /// <inheritdoc cref="TryParse"/>
    /// <exception cref="FormatException">The text names no supported sampler.</exception>
    public static SamplerChoice Parse(string text) =>
        TryParse(text, out var choice)
            ? choice
            : throw new FormatException(
                $"unknown sampler '{text}' (expected one of {string.Join(", ", All.Select(c => c.ShortName))}, or a display name such as \"Euler a\" or \"DPM++ 2M Karras\")");

    /// <summary>Every supported combination.</summary>
    public static IReadOnlyList<SamplerChoice> All { get; } =
    [
        new(SamplerKind.Ddim),
        new(SamplerKind.Euler),
        new(SamplerKind.Euler, Karras: true),
        new(SamplerKind.EulerAncestral),
        new(SamplerKind.EulerAncestral, Karras: true),
        new(SamplerKind.DpmPlusPlus2M),
        new(SamplerKind.DpmPlusPlus2M, Karras: true),
    ];

    /// <summary>The <see cref="DisplayName"/>.</summary>
    public override string ToString() => DisplayName;

    static string BaseDisplayName(SamplerKind kind) => kind switch
    {
        SamplerKind.Ddim => "DDIM",
        SamplerKind.Euler => "Euler",
        SamplerKind.EulerAncestral => "Euler a",
        SamplerKind.DpmPlusPlus2M => "DPM++ 2M",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    static string BaseShortName(SamplerKind kind) => kind switch
    {
        SamplerKind.Ddim => "ddim",
        SamplerKind.Euler => "euler",
        SamplerKind.EulerAncestral => "euler_a",
        SamplerKind.DpmPlusPlus2M => "dpmpp_2m",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

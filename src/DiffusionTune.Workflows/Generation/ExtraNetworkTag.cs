using System.Globalization;
using System.Text.RegularExpressions;

namespace DiffusionTune.Workflows.Generation;

/// <summary>The kinds of A1111 "extra network" a prompt tag can name.</summary>
public enum ExtraNetworkKind
{
    /// <summary><c>&lt;lora:NAME…&gt;</c> (and its LyCORIS alias <c>&lt;lyco:NAME…&gt;</c>): a LoRA-family file.</summary>
    Lora,

    /// <summary><c>&lt;hypernet:NAME…&gt;</c>: an A1111 hypernetwork.</summary>
    Hypernetwork,
}

/// <summary>
/// One A1111 extra-network tag of a prompt: <c>&lt;lora:NAME[:TE[:UNET]]&gt;</c> or <c>&lt;hypernet:NAME[:STRENGTH]&gt;</c>.
/// As in A1111, a LoRA's first multiplier applies to the text encoder and, unless a second one is given, to the UNet
/// too; <c>te=</c> and <c>unet=</c> may also be written by name (<c>&lt;lora:NAME:unet=0.5&gt;</c>).
/// </summary>
/// <param name="Text">The tag as written, <c>&lt;lora:style:0.8&gt;</c>.</param>
/// <param name="Name">The network's name: a file name in a LoRA folder, without its extension.</param>
/// <param name="Strength">The UNet multiplier (a hypernetwork's only one).</param>
/// <param name="TextEncoderStrength">The text-encoder multiplier of a LoRA (equal to <paramref name="Strength"/> unless given apart).</param>
public sealed record ExtraNetworkTag(string Text, ExtraNetworkKind Kind, string Name, double Strength, double TextEncoderStrength);

/// <summary>A prompt split into the text the text encoder sees and the extra-network tags A1111 takes out of it.</summary>
/// <param name="Text">The prompt without its tags (each tag replaced by nothing, as A1111 does).</param>
/// <param name="Tags">The LoRA and hypernetwork tags, in prompt order.</param>
/// <param name="UnknownTags">Tags of other kinds (<c>&lt;foo:bar&gt;</c>), removed from the text but applied to nothing.</param>
public sealed partial record PromptTags(string Text, IReadOnlyList<ExtraNetworkTag> Tags, IReadOnlyList<string> UnknownTags)
{
    /// <summary>
    /// Takes every <c>&lt;KIND:ARGS&gt;</c> tag out of <paramref name="prompt"/>, with A1111's grammar: KIND is a word,
    /// ARGS anything up to the next '>' split on ':'; an argument with '=' is named (<c>te=</c>, <c>unet=</c>).
    /// Text that does not match (an unclosed <c>&lt;lora:x</c>, <c>&lt;lora:&gt;</c>) stays in the prompt.
    /// </summary>
    /// <exception cref="ArgumentException">A LoRA or hypernetwork tag has no name, a multiplier that is not a finite number, or an unknown named argument.</exception>
    public static PromptTags Parse(string prompt)
    {
        var tags = new List<ExtraNetworkTag>();
        var unknown = new List<string>();
        var text = TagPattern().Replace(prompt, match =>
        {
            var kind = match.Groups[1].Value.ToLowerInvariant() switch
            {
                "lora" or "lyco" => ExtraNetworkKind.Lora,
                "hypernet" => ExtraNetworkKind.Hypernetwork,
                _ => (ExtraNetworkKind?)null,
            };
            if (kind is { } known) tags.Add(ParseTag(match.Value, known, match.Groups[2].Value.Split(':')));
            else unknown.Add(match.Value);
            return "";
        });
        return new PromptTags(text, tags, unknown);
    }

    static ExtraNetworkTag ParseTag(string text, ExtraNetworkKind kind, string[] items)
    {
        var positional = new List<string>();
        var named = new Dictionary<string, string>();
        foreach (var item in items)
        {
            int equals = item.IndexOf('=');
            if (equals < 0) positional.Add(item.Trim());
            else named[item[..equals].Trim().ToLowerInvariant()] = item[(equals + 1)..].Trim();
        }
        var name = positional.Count > 0 ? positional[0] : "";
        if (name.Length == 0) throw new ArgumentException($"prompt tag {text}: names no network (write <lora:NAME:0.8>)");

        string[] allowed = kind == ExtraNetworkKind.Lora ? ["te", "unet"] : [];
        if (named.Keys.FirstOrDefault(key => !allowed.Contains(key)) is { } stray)
            throw new ArgumentException($"prompt tag {text}: unknown argument '{stray}='{(allowed.Length > 0 ? $" (known: {string.Join(", ", allowed.Select(a => a + "="))})" : "")}");
        int maxPositional = kind == ExtraNetworkKind.Lora ? 3 : 2;
        if (positional.Count > maxPositional)
            throw new ArgumentException($"prompt tag {text}: too many multipliers (write {(kind == ExtraNetworkKind.Lora ? "<lora:NAME:TE:UNET>" : "<hypernet:NAME:STRENGTH>")})");

        double first = positional.Count > 1 ? Multiplier(text, positional[1]) : 1.0;
        double textEncoder = named.TryGetValue("te", out var te) ? Multiplier(text, te) : first;
        double unet = named.TryGetValue("unet", out var u) ? Multiplier(text, u)
            : positional.Count > 2 ? Multiplier(text, positional[2]) : textEncoder;
        return new ExtraNetworkTag(text, kind, name, unet, textEncoder);
    }

    static double Multiplier(string tag, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? number
            : throw new ArgumentException($"prompt tag {tag}: '{value}' is not a multiplier (a finite number such as 0.8)");

    /// <summary>A1111's <c>re_extra_net</c>.</summary>
    [GeneratedRegex(@"<(\w+):([^>]+)>")]
    private static partial Regex TagPattern();
}

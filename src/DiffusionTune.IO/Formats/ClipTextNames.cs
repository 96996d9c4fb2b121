using System.Globalization;
using System.Text.RegularExpressions;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// The parameter names of transformers' <c>CLIPTextModel</c>, the target of every text-encoder conversion.
/// Names are canonical with the <c>text_model.</c> level; "inner" names are the part below it.
/// </summary>
internal static class ClipTextNames
{
    public const string Root = "text_model.";

    /// <summary>The position buffer (<c>arange</c>) transformers saved before 4.31; never a parameter.</summary>
    public const string PositionIds = "embeddings.position_ids";

    public const string TokenEmbedding = "embeddings.token_embedding.weight";

    public const string PositionEmbedding = "embeddings.position_embedding.weight";

    static readonly Regex Parameter = new(
        @"^(?:embeddings\.(?:token_embedding|position_embedding)\.weight" +
        @"|encoder\.layers\.(?<layer>\d{1,6})\.(?:self_attn\.(?:q_proj|k_proj|v_proj|out_proj)|layer_norm1|layer_norm2|mlp\.fc1|mlp\.fc2)\.(?:weight|bias)" +
        @"|final_layer_norm\.(?:weight|bias))$",
        RegexOptions.CultureInvariant);

    static readonly string[] FlattenedRoots = ["embeddings.", "encoder.", "final_layer_norm."];

    /// <summary>The name below <c>text_model.</c>; names saved without that level (community single files, transformers ≥ 5.6) are already inner.</summary>
    public static string Inner(string name) => name.StartsWith(Root, StringComparison.Ordinal) ? name[Root.Length..] : name;

    /// <summary>Whether <paramref name="name"/> lacks the <c>text_model.</c> level but is otherwise a CLIPTextModel name.</summary>
    public static bool IsFlattened(string name) => FlattenedRoots.Any(root => name.StartsWith(root, StringComparison.Ordinal));

    /// <summary>Whether <paramref name="inner"/> names a CLIPTextModel parameter; <paramref name="layer"/> is its encoder layer, if any.</summary>
    public static bool IsParameter(string inner, out int? layer)
    {
        var match = Parameter.Match(inner);
        layer = match.Groups["layer"].Success ? int.Parse(match.Groups["layer"].Value, CultureInfo.InvariantCulture) : null;
        return match.Success;
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// The OpenCLIP text tower of SD 2.x single files (<c>cond_stage_model.model.*</c>) ↔ transformers CLIPTextModel names.
/// OpenCLIP fuses the attention input projections into one <c>attn.in_proj_weight</c> <c>[3C, C]</c> (rows: q, k, v)
/// and <c>attn.in_proj_bias</c> <c>[3C]</c>; CLIPTextModel has separate <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>.
/// As diffusers does, resblocks beyond the target's layer count (SD 2.x: the 24th, unused by its penultimate-layer
/// conditioning) are ignored, <c>ln_final</c> becomes <c>final_layer_norm</c>, and <c>text_projection</c> and
/// <c>logit_scale</c> (CLIP's contrastive head, unused by a CLIPTextModel) are ignored. Writing goes the other way and
/// leaves out what the text encoder does not have, as diffusers' conversion script does.
/// </summary>
internal static class OpenClipTextEncoder
{
    public const string Prefix = "cond_stage_model.model.";

    /// <summary>Per-layer modules: transformers name (below <c>encoder.layers.N.</c>) and OpenCLIP name (below <c>transformer.resblocks.N.</c>).</summary>
    static readonly (string Clip, string OpenClip)[] LayerModules =
    [
        ("layer_norm1", "ln_1"),
        ("layer_norm2", "ln_2"),
        ("mlp.fc1", "mlp.c_fc"),
        ("mlp.fc2", "mlp.c_proj"),
        ("self_attn.out_proj", "attn.out_proj"),
    ];

    /// <summary>Tensors outside the layers: transformers name (below <c>text_model.</c>) and OpenCLIP name.</summary>
    static readonly (string Clip, string OpenClip)[] OuterTensors =
    [
        (ClipTextNames.TokenEmbedding, "token_embedding.weight"),
        (ClipTextNames.PositionEmbedding, "positional_embedding"),
        ("final_layer_norm.weight", "ln_final.weight"),
        ("final_layer_norm.bias", "ln_final.bias"),
    ];

    /// <summary>The projections in the order their rows are stacked in <c>in_proj</c>.</summary>
    static readonly string[] FusedProjections = ["q_proj", "k_proj", "v_proj"];

    static readonly Regex ResblockTensor = new(@"^transformer\.resblocks\.(?<layer>\d{1,6})\.(?<module>.+)\.(?<parameter>weight|bias)$", RegexOptions.CultureInvariant);

    static readonly Regex FusedInProjection = new(@"^transformer\.resblocks\.(?<layer>\d{1,6})\.attn\.in_proj_(?<parameter>weight|bias)$", RegexOptions.CultureInvariant);

    static readonly Regex ClipLayerTensor = new(@"^encoder\.layers\.(?<layer>\d{1,6})\.(?<module>.+)\.(?<parameter>weight|bias)$", RegexOptions.CultureInvariant);

    /// <summary>Converts one single-file name under <see cref="Prefix"/> to transformers name(s).</summary>
    public static void Split(string name, TextEncoderLayout layout, ConversionCollector sink)
    {
        var rest = name[Prefix.Length..];
        foreach (var (clip, openClip) in OuterTensors)
        {
            if (rest != openClip) continue;
            sink.Map(ModelComponent.TextEncoder, new(ClipTextNames.Root + clip, name, TensorTransform.Identity));
            return;
        }

        if (FusedInProjection.Match(rest) is { Success: true } fused)
        {
            int layer = Layer(fused);
            if (layer >= layout.LayerCount)
            {
                sink.Ignore(name);
                return;
            }
            var parameter = fused.Groups["parameter"].Value;
            for (int i = 0; i < FusedProjections.Length; i++)
            {
                var target = $"{ClipTextNames.Root}encoder.layers.{layer}.self_attn.{FusedProjections[i]}.{parameter}";
                sink.Map(ModelComponent.TextEncoder, new(target, name, TensorTransform.Chunk(i, FusedProjections.Length)));
            }
            return;
        }

        if (ResblockTensor.Match(rest) is { Success: true } match && Rename(match.Groups["module"].Value, toOpenClip: false) is { } module)
        {
            int layer = Layer(match);
            if (layer >= layout.LayerCount)
                sink.Ignore(name);
            else
                sink.Map(ModelComponent.TextEncoder, new($"{ClipTextNames.Root}encoder.layers.{layer}.{module}.{match.Groups["parameter"].Value}", name, TensorTransform.Identity));
            return;
        }
        sink.Reject(name);
    }

    /// <summary>Converts a CLIPTextModel's names (canonical, with <c>text_model.</c>) to single-file names, fusing q/k/v.</summary>
    public static void Build(IEnumerable<string> names, TextEncoderLayout layout, ConversionCollector sink)
    {
        // (layer, parameter) -> the q, k, v source names, filled as they are met.
        var fused = new SortedDictionary<(int Layer, string Parameter), string?[]>();
        foreach (var name in names)
        {
            var inner = name.StartsWith(ClipTextNames.Root, StringComparison.Ordinal) ? name[ClipTextNames.Root.Length..] : null;
            if (inner == ClipTextNames.PositionIds)
            {
                sink.Ignore(ModelComponent.TextEncoder.Qualify(name));
                continue;
            }
            if (inner is null || !ClipTextNames.IsParameter(inner, out var layer))
            {
                sink.Reject(ModelComponent.TextEncoder.Qualify(name));
                continue;
            }
            if (layer >= layout.LayerCount)
            {
                sink.Ignore(ModelComponent.TextEncoder.Qualify(name));
                continue;
            }

            if (layer is null)
            {
                var openClip = OuterTensors.Single(t => t.Clip == inner).OpenClip;
                sink.Map(ModelComponent.TextEncoder, new(Prefix + openClip, name, TensorTransform.Identity));
                continue;
            }

            var match = ClipLayerTensor.Match(inner);
            var module = match.Groups["module"].Value;
            var parameter = match.Groups["parameter"].Value;
            int projection = Array.FindIndex(FusedProjections, p => module == "self_attn." + p);
            if (projection >= 0)
            {
                if (!fused.TryGetValue((layer.Value, parameter), out var parts))
                    fused[(layer.Value, parameter)] = parts = new string?[FusedProjections.Length];
                parts[projection] = name;
                continue;
            }
            var renamed = Rename(module, toOpenClip: true)!;
            sink.Map(ModelComponent.TextEncoder, new($"{Prefix}transformer.resblocks.{layer}.{renamed}.{parameter}", name, TensorTransform.Identity));
        }

        foreach (var ((layer, parameter), parts) in fused)
        {
            if (parts.All(p => p is not null))
            {
                sink.Map(ModelComponent.TextEncoder, new($"{Prefix}transformer.resblocks.{layer}.attn.in_proj_{parameter}", [.. parts!], TensorTransform.Concatenate));
                continue;
            }
            // A fused projection needs all three parts; report the ones that are there.
            foreach (var part in parts.OfType<string>())
                sink.Reject(ModelComponent.TextEncoder.Qualify(part));
        }
    }

    static string? Rename(string module, bool toOpenClip)
    {
        foreach (var (clip, openClip) in LayerModules)
        {
            if ((toOpenClip ? clip : openClip) == module) return toOpenClip ? openClip : clip;
        }
        return null;
    }

    static int Layer(Match match) => int.Parse(match.Groups["layer"].Value, CultureInfo.InvariantCulture);
}

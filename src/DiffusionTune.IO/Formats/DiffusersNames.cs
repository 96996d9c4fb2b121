using System.Text.RegularExpressions;
using DiffusionTune.IO.Safetensors;

namespace DiffusionTune.IO.Formats;

/// <summary>A diffusers-folder weights file's names mapped onto the current names, plus what was left out on purpose.</summary>
/// <param name="Plan">Current name → stored tensor (renamed or reshaped where the file is old-style).</param>
/// <param name="Ignored">Stored names deliberately not loaded (the CLIP <c>position_ids</c> buffer).</param>
/// <param name="Conflicts">Stored names that would make a tensor another stored name already makes (a file with both the old and the new spelling).</param>
public sealed record NormalizedNames(TensorPlan Plan, IReadOnlyList<string> Ignored, IReadOnlyList<string> Conflicts);

/// <summary>
/// Reads the older spellings that diffusers-format component files still come with: VAE attention saved by the
/// deprecated <c>AttentionBlock</c> (<c>query</c>, <c>key</c>, <c>value</c>, <c>proj_attn</c>; weights possibly
/// 1×1-convolution shaped), the CLIP <c>position_ids</c> buffer that transformers saved before 4.31, and CLIP text
/// encoders saved without the <c>text_model.</c> level (community tools, transformers ≥ 5.6).
/// </summary>
public static class DiffusersNames
{
    static readonly Regex VaeAttentionTensor = new(
        @"^(?<block>(?:encoder|decoder)\.mid_block\.attentions\.\d{1,4})\.(?<module>query|key|value|proj_attn|to_q|to_k|to_v|to_out\.0)\.(?<parameter>weight|bias)$",
        RegexOptions.CultureInvariant);

    static readonly Dictionary<string, string> LegacyVaeAttentionModules = new()
    {
        ["query"] = "to_q",
        ["key"] = "to_k",
        ["value"] = "to_v",
        ["proj_attn"] = "to_out.0",
    };

    /// <summary>Plans loading <paramref name="names"/>, the tensors of one component's weights file.</summary>
    public static NormalizedNames Normalize(ModelComponent component, IEnumerable<string> names)
    {
        var recipes = new List<TensorRecipe>();
        var targets = new HashSet<string>();
        var ignored = new List<string>();
        var conflicts = new List<string>();
        foreach (var name in names)
        {
            var recipe = component switch
            {
                ModelComponent.Vae => VaeRecipe(name),
                ModelComponent.TextEncoder => TextEncoderRecipe(name),
                _ => new TensorRecipe(name, name, TensorTransform.Identity),
            };
            if (recipe is null)
                ignored.Add(name);
            else if (!targets.Add(recipe.Target))
                conflicts.Add(name);
            else
                recipes.Add(recipe);
        }
        return new NormalizedNames(new TensorPlan(recipes), ignored, conflicts);
    }

    /// <summary>Plans loading an open weights file (see <see cref="Normalize(ModelComponent, IEnumerable{string})"/>).</summary>
    public static NormalizedNames Normalize(ModelComponent component, SafetensorsFile file) => Normalize(component, file.Names);

    static TensorRecipe VaeRecipe(string name)
    {
        var match = VaeAttentionTensor.Match(name);
        if (!match.Success) return new(name, name, TensorTransform.Identity);
        var module = match.Groups["module"].Value;
        var parameter = match.Groups["parameter"].Value;
        var target = $"{match.Groups["block"].Value}.{LegacyVaeAttentionModules.GetValueOrDefault(module, module)}.{parameter}";
        return new(target, name, parameter == "weight" ? TensorTransform.ConvToLinear : TensorTransform.Identity);
    }

    static TensorRecipe? TextEncoderRecipe(string name)
    {
        if (ClipTextNames.Inner(name) == ClipTextNames.PositionIds) return null;
        var target = ClipTextNames.IsFlattened(name) ? ClipTextNames.Root + name : name;
        return new(target, name, TensorTransform.Identity);
    }
}

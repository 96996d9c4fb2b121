namespace DiffusionTune.IO.Formats;

/// <summary>
/// Splits any LoRA-family key into the name of the module it adapts and the part it is, then finds that module in a
/// model. Suffixes and module naming are independent: kohya-style names (no dots, <c>lora_unet_</c>/<c>lora_te_</c>)
/// are resolved through <see cref="AdapterTargets.FindKohya"/>, dotted names by their path after an optional
/// <c>base_model.model.</c>, <c>unet.</c> or <c>text_encoder.</c> prefix (unprefixed <c>text_model.…</c> paths belong to
/// the text encoder, other unprefixed paths to the UNet).
/// </summary>
internal static class LoraKeyGrammar
{
    // Longest first, so ".lokr_w1_a" is never read as ".lokr_w1" plus junk and processor keys beat generic ones.
    static readonly LoraKeySuffix[] Suffixes =
        [.. KohyaLoraNames.Suffixes.Concat(LycorisLoraKeys.Suffixes).Concat(PeftLoraKeys.Suffixes).Concat(DiffusersLoraKeys.Suffixes)
            .OrderByDescending(s => s.Suffix.Length)];

    /// <summary>Parses <paramref name="key"/>; false when it ends in no known LoRA suffix.</summary>
    public static bool TryParse(string key, out string moduleKey, out LoraPart part)
    {
        foreach (var suffix in Suffixes)
        {
            if (key.Length > suffix.Suffix.Length && key.EndsWith(suffix.Suffix, StringComparison.Ordinal))
            {
                var owner = key[..^suffix.Suffix.Length];
                moduleKey = suffix.Child is null ? owner : $"{owner}.{suffix.Child}";
                part = suffix.Part;
                return true;
            }
        }
        moduleKey = "";
        part = default;
        return false;
    }

    /// <summary>The module <paramref name="moduleKey"/> (from <see cref="TryParse"/>) names, or null when the model has none such.</summary>
    public static AdaptableModule? Resolve(string moduleKey, AdapterTargets targets)
    {
        if (!moduleKey.Contains('.')) return targets.FindKohya(moduleKey);
        var path = StripPrefix(moduleKey, PeftLoraKeys.ModelPrefix);
        if (path.StartsWith(DiffusersLoraKeys.UNetPrefix, StringComparison.Ordinal))
            return targets.Find(ModelComponent.UNet, path[DiffusersLoraKeys.UNetPrefix.Length..]);
        if (path.StartsWith(DiffusersLoraKeys.TextEncoderPrefix, StringComparison.Ordinal))
            return targets.Find(ModelComponent.TextEncoder, path[DiffusersLoraKeys.TextEncoderPrefix.Length..]);
        var component = path.StartsWith(ClipTextNames.Root, StringComparison.Ordinal) ? ModelComponent.TextEncoder : ModelComponent.UNet;
        return targets.Find(component, path);
    }

    static string StripPrefix(string text, string prefix) =>
        text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
}

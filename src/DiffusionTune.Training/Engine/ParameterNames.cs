namespace DiffusionTune.Training.Engine;

/// <summary>
/// Matches user-given module prefixes ("up_blocks.3", "down_blocks.0.attentions") against parameter names in any of
/// the spellings trainers use: diffusers paths ("unet.up_blocks.3.resnets.0.conv1.weight") or kohya names
/// ("lora_unet_up_blocks_3_attentions_0…"). Both sides are compared with '_' read as '.', at segment boundaries.
/// </summary>
public static class ParameterNames
{
    public static bool Matches(string parameterName, string prefix)
    {
        var name = parameterName.Replace('_', '.');
        var pattern = prefix.Replace('_', '.').Trim('.');
        if (pattern.Length == 0) return false;
        for (int at = name.IndexOf(pattern, StringComparison.Ordinal); at >= 0; at = name.IndexOf(pattern, at + 1, StringComparison.Ordinal))
        {
            bool startsSegment = at == 0 || name[at - 1] == '.';
            int end = at + pattern.Length;
            bool endsSegment = end == name.Length || name[end] == '.';
            if (startsSegment && endsSegment) return true;
        }
        return false;
    }
}

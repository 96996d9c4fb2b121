namespace DiffusionTune.Models.Merging;

/// <summary>Places a UNet tensor or module, by its diffusers name, in a <see cref="UNetBlock"/> and a <see cref="UNetModuleKind"/>.</summary>
public static class UNetRegions
{
    /// <summary>The block of <paramref name="name"/> (a parameter such as <c>up_blocks.1.resnets.0.conv1.weight</c> or a module path).</summary>
    /// <exception cref="ArgumentException">The name starts with no module of a diffusers <c>UNet2DConditionModel</c>.</exception>
    public static UNetBlock BlockOf(string name) => FirstSegment(name) switch
    {
        "conv_in" or "time_proj" or "time_embedding" or "class_embedding" or "add_embedding" or "down_blocks" => UNetBlock.Input,
        "mid_block" => UNetBlock.Middle,
        "up_blocks" or "conv_norm_out" or "conv_act" or "conv_out" => UNetBlock.Output,
        _ => throw new ArgumentException($"unet/{name} belongs to no UNet block (input, middle or output)"),
    };

    /// <summary>Whether <paramref name="name"/> lies in a spatial transformer, a resnet, or elsewhere.</summary>
    public static UNetModuleKind KindOf(string name)
    {
        foreach (var segment in name.Split('.'))
        {
            if (segment == "attentions") return UNetModuleKind.Attention;
            if (segment == "resnets") return UNetModuleKind.Resnet;
        }
        return UNetModuleKind.Other;
    }

    static string FirstSegment(string name)
    {
        int dot = name.IndexOf('.');
        return dot < 0 ? name : name[..dot];
    }
}

namespace DiffusionTune.IO.Formats;

/// <summary>
/// diffusers' own LoRA keys (<c>pytorch_lora_weights.safetensors</c>): <c>unet.</c> or <c>text_encoder.</c>, the dotted
/// module path, then <c>.lora.down.weight</c>/<c>.lora.up.weight</c> (UNet) or
/// <c>.lora_linear_layer.down.weight</c>/<c>.up.weight</c> (text encoder). Older files name attention processors
/// instead: <c>…attn1.processor.to_q_lora.down.weight</c> adapts <c>…attn1.to_q</c> (and <c>to_out_lora</c> adapts
/// <c>to_out.0</c>). No alpha is stored: the scale is 1.
/// </summary>
public static class DiffusersLoraKeys
{
    public const string UNetPrefix = "unet.";

    public const string TextEncoderPrefix = "text_encoder.";

    static readonly (string Processor, string Module)[] ProcessorChildren =
        [("to_q", "to_q"), ("to_k", "to_k"), ("to_v", "to_v"), ("to_out", "to_out.0")];

    internal static IReadOnlyList<LoraKeySuffix> Suffixes { get; } =
    [
        new(".lora.down.weight", LoraPart.Down),
        new(".lora.up.weight", LoraPart.Up),
        new(".lora_linear_layer.down.weight", LoraPart.Down),
        new(".lora_linear_layer.up.weight", LoraPart.Up),
        .. ProcessorChildren.SelectMany(child => new LoraKeySuffix[]
        {
            new($".processor.{child.Processor}_lora.down.weight", LoraPart.Down, child.Module),
            new($".processor.{child.Processor}_lora.up.weight", LoraPart.Up, child.Module),
        }),
    ];
}

namespace DiffusionTune.IO.Formats;

/// <summary>
/// PEFT's LoRA keys: the dotted module path, then <c>.lora_A.weight</c> (down) and <c>.lora_B.weight</c> (up). A PEFT
/// model saved on its own prefixes paths with <c>base_model.model.</c>; diffusers' newer LoRA files prefix them with
/// <c>unet.</c> or <c>text_encoder.</c> instead. PEFT keeps alpha in <c>adapter_config.json</c>, not in the weights,
/// so without an <c>.alpha</c> tensor the scale is 1 (alpha = rank).
/// </summary>
public static class PeftLoraKeys
{
    public const string ModelPrefix = "base_model.model.";

    internal static IReadOnlyList<LoraKeySuffix> Suffixes { get; } =
    [
        new(".lora_A.weight", LoraPart.Down),
        new(".lora_B.weight", LoraPart.Up),
    ];
}

namespace DiffusionTune.IO.Formats;

/// <summary>
/// kohya-ss sd-scripts' LoRA key grammar, which A1111, ComfyUI and LyCORIS share: <c>lora_unet_</c> (UNet) or
/// <c>lora_te_</c> (SD 1.x/2.x text encoder), then the diffusers/transformers module path with every '.' replaced by
/// '_', then <c>.lora_down.weight</c> <c>[r, in(, kh, kw)]</c>, <c>.lora_up.weight</c> <c>[out, r(, 1, 1)]</c> and
/// <c>.alpha</c> (a 0-d scalar). SD 1.x UNet names follow the diffusers layout, not the original one.
/// </summary>
public static class KohyaLoraNames
{
    public const string UNetPrefix = "lora_unet_";

    public const string TextEncoderPrefix = "lora_te_";

    public const string DownSuffix = ".lora_down.weight";

    public const string UpSuffix = ".lora_up.weight";

    public const string AlphaSuffix = ".alpha";

    /// <summary>The kohya layer name of <paramref name="module"/>, e.g. <c>lora_te_text_model_encoder_layers_11_mlp_fc2</c>.</summary>
    public static string Of(AdaptableModule module) => module.Component switch
    {
        ModelComponent.UNet => UNetPrefix,
        ModelComponent.TextEncoder => TextEncoderPrefix,
        _ => throw new ArgumentException($"{module}: kohya LoRAs adapt only the UNet and the text encoder", nameof(module)),
    } + module.Name.Replace('.', '_');

    internal static IReadOnlyList<LoraKeySuffix> Suffixes { get; } =
    [
        new(DownSuffix, LoraPart.Down),
        new(UpSuffix, LoraPart.Up),
        new(AlphaSuffix, LoraPart.Alpha),
    ];
}

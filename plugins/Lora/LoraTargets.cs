using TorchSharp;
using TorchSharp.Modules;

namespace DiffusionTune.Trainers.Lora;

/// <summary>Which layers a LoRA adapts, chosen by their diffusers/transformers names.</summary>
static class LoraTargets
{
    public const string Attention = "attention", Transformer = "transformer", All = "all";

    /// <summary>
    /// UNet layers: <c>attention</c> = the q/k/v/out projections of self- and cross-attention; <c>transformer</c> = every
    /// Linear and 1×1 conv inside the spatial transformers (kohya's default: adds proj_in/out and the feed-forward);
    /// <c>all</c> = also the resnet and up/down-sampling convolutions (kohya's LoCon).
    /// </summary>
    public static IEnumerable<(string Name, torch.nn.Module Module)> Unet(torch.nn.Module unet, string scope) =>
        unet.named_modules().Where(m => m.module is Linear or Convolution && IsUnetTarget(m.name, m.module, scope));

    /// <summary>Text-encoder layers: the attention projections and the MLP of every layer (kohya's choice).</summary>
    public static IEnumerable<(string Name, torch.nn.Module Module)> TextEncoder(torch.nn.Module textEncoder) =>
        textEncoder.named_modules().Where(m => m.module is Linear && (m.name.Contains(".self_attn.") || m.name.Contains(".mlp.")));

    static bool IsUnetTarget(string name, torch.nn.Module module, string scope)
    {
        bool inTransformer = name.Contains(".attentions.");
        bool attentionProjection = inTransformer && (name.Contains(".attn1.") || name.Contains(".attn2."));
        return scope switch
        {
            Attention => attentionProjection,
            Transformer => inTransformer && (module is Linear || module is Convolution conv && conv.kernel_size.All(k => k == 1)),
            _ => inTransformer || module is Convolution && (name.Contains(".resnets.") || name.Contains("samplers.")),
        };
    }

    /// <summary>kohya's name of an adapted layer: prefix + module path with dots replaced by underscores.</summary>
    public static string KohyaName(string prefix, string moduleName) => $"{prefix}_{moduleName.Replace('.', '_')}";
}

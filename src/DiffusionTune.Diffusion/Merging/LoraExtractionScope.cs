using DiffusionTune.IO.Formats;

namespace DiffusionTune.Diffusion.Merging;

/// <summary>
/// Which UNet layers an extracted LoRA may adapt: the same choices the LoRA trainer offers (its <c>targets</c> option).
/// Text-encoder attention and MLP layers are always candidates; a layer that did not change is left out anyway.
/// </summary>
public enum LoraExtractionScope
{
    /// <summary>The q/k/v/out projections of self- and cross-attention.</summary>
    Attention,

    /// <summary>Every Linear and 1×1 convolution inside the spatial transformers (kohya's default: adds proj_in/out and the feed-forward).</summary>
    Transformer,

    /// <summary>Also the resnet and up/down-sampling convolutions, 3×3 ones included (kohya's LoCon).</summary>
    All,
}

/// <summary>What each <see cref="LoraExtractionScope"/> takes in.</summary>
public static class LoraExtractionScopes
{
    /// <summary>Whether <paramref name="module"/> is a candidate layer under <paramref name="scope"/>.</summary>
    public static bool Includes(this LoraExtractionScope scope, AdaptableModule module)
    {
        var name = module.Name;
        if (module.Component == ModelComponent.TextEncoder)
            return !module.IsConvolution && (name.Contains(".self_attn.") || name.Contains(".mlp."));
        if (module.Component != ModelComponent.UNet) return false;
        bool inTransformer = name.Contains(".attentions.");
        return scope switch
        {
            LoraExtractionScope.Attention => inTransformer && (name.Contains(".attn1.") || name.Contains(".attn2.")),
            LoraExtractionScope.Transformer => inTransformer && module.KernelArea == 1,
            _ => inTransformer || (module.IsConvolution && (name.Contains(".resnets.") || name.Contains("samplers."))),
        };
    }
}

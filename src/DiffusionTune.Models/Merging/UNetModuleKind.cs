namespace DiffusionTune.Models.Merging;

/// <summary>What a UNet tensor belongs to within its block: a spatial transformer, a resnet, or neither.</summary>
public enum UNetModuleKind
{
    /// <summary>Inside a spatial transformer (<c>…attentions.N…</c>): attention projections, proj_in/out, feed-forward, norms.</summary>
    Attention,

    /// <summary>Inside a resnet block (<c>…resnets.N…</c>).</summary>
    Resnet,

    /// <summary>Anything else: conv_in/out, the time embedding, up/down-samplers, the final norm.</summary>
    Other,
}

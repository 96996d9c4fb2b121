using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Contracts;

/// <summary>
/// The Stable Diffusion model a trainer works on. Module names are the diffusers/transformers ones
/// (<c>down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q</c>, <c>text_model.encoder.layers.0.mlp.fc1</c>),
/// so trainers can find layers by name and outputs interoperate with other tools.
/// </summary>
public interface IDiffusionModel
{
    /// <summary>The denoising UNet: (noisy latents [B,C,H,W], timesteps [B], text conditioning [B,T,D]) → prediction.</summary>
    nn.Module<Tensor, Tensor, Tensor, Tensor> Unet { get; }

    /// <summary>The CLIP text encoder (its parameters are frozen unless a trainer unfreezes them).</summary>
    nn.Module TextEncoder { get; }

    /// <summary>
    /// The text conditioning for <paramref name="prompts"/> ([B, 77, D]), computed with the live text encoder so that
    /// gradients reach it (and any added token vectors) when they are trained.
    /// </summary>
    Tensor EncodePrompts(IReadOnlyList<string> prompts);

    /// <summary>The token-embedding table of the text encoder (for textual inversion).</summary>
    Embedding TokenEmbedding { get; }

    /// <summary>
    /// Adds new tokens to the tokenizer and rows to the token-embedding table, initialised from the embedding of
    /// <paramref name="initializer"/> (a word; several tokens start from their mean). Returns the new token ids.
    /// Tokens named <c>t</c>, <c>t_1</c> … <c>t_{n-1}</c>, in that order, form one word of n vectors (diffusers' and
    /// A1111's multi-vector layout): wherever a prompt says <c>t</c>, the host's tokenizer puts all n ids, in training
    /// and in generation alike.
    /// </summary>
    IReadOnlyList<long> AddTokens(IReadOnlyList<string> tokens, string initializer);

    /// <summary>A frozen copy of the UNet as it is now (before training changes it), e.g. as a prior-preservation target.</summary>
    nn.Module<Tensor, Tensor, Tensor, Tensor> FrozenUnetCopy();

    /// <summary>
    /// A frozen copy of the text encoder as it is now (before training changes it). With <see cref="FrozenUnetCopy"/>
    /// it gives the base model's own prediction even while the text encoder trains. Added in contract 1.2.
    /// </summary>
    IPromptEncoder FrozenPromptEncoderCopy();

    /// <summary>Width of the text conditioning (the UNet's cross-attention dimension).</summary>
    int TextWidth { get; }

    /// <summary>Name and hash of the base model (written into output metadata).</summary>
    string Name { get; }

    /// <summary>A1111's short hash of the base model's weights.</summary>
    string ShortHash { get; }

    /// <summary>Whether the base is an SD 2.x model (kohya's ss_v2 metadata).</summary>
    bool IsStableDiffusion2 { get; }
}

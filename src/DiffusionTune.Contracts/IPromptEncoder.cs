using static TorchSharp.torch;

namespace DiffusionTune.Contracts;

/// <summary>Turns prompts into the UNet's text conditioning, like <see cref="IDiffusionModel.EncodePrompts"/> but from its own weights.</summary>
public interface IPromptEncoder : IDisposable
{
    /// <summary>The text conditioning for <paramref name="prompts"/> ([B, 77, D]), without gradients.</summary>
    Tensor Encode(IReadOnlyList<string> prompts);
}

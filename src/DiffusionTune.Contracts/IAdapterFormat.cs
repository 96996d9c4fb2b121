using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Contracts;

/// <summary>
/// A kind of adapter file a plugin defines (a bias-only delta, IA3 scaling vectors, …) and how to apply it, so that
/// <c>generate --adapter FILE</c> can use a file a trainer saved without the trainer saving a whole model. A plugin
/// assembly exports public classes implementing this interface beside its trainers (or alone); the host creates each
/// once with its public parameterless constructor. The trainer writes the adapter as a .safetensors file whose metadata
/// holds <see cref="MetadataKey"/> = <see cref="Name"/>, and marks it <see cref="SavedFileKind.Adapter"/>; the host
/// reads that key to pick the format. Added in contract 1.5.
/// </summary>
public interface IAdapterFormat
{
    /// <summary>The .safetensors metadata key that names an adapter file's format.</summary>
    const string MetadataKey = "diffusiontune.adapter_format";

    /// <summary>
    /// The format's name, written under <see cref="MetadataKey"/>: lower-case letters, digits, hyphens and dots, unique
    /// among installed plugins (e.g. <c>acme.bias-delta</c>).
    /// </summary>
    string Name { get; }

    /// <summary>
    /// Applies an adapter file of this format to a loaded model, in place, until the returned object is disposed; disposing
    /// it must restore every weight and remove every hook exactly as it was (the host applies and undoes adapters on one
    /// loaded model, e.g. per comparison column). Throw <see cref="ArgumentException"/> or
    /// <see cref="InvalidDataException"/> with a message naming the tensor and what is wrong when the file does not fit
    /// the model: the host prints its message on one line with the format and the file.
    /// </summary>
    /// <param name="unet">The denoising UNet, with diffusers module names (<c>down_blocks.0.resnets.0.conv1</c>).</param>
    /// <param name="textEncoder">The CLIP text encoder, with transformers module names (<c>text_model.encoder.layers.0.mlp.fc1</c>).</param>
    /// <param name="tensors">The file's tensors, on the CPU as stored; the host disposes them after this call returns, so keep copies.</param>
    /// <param name="metadata">The file's metadata (including <see cref="MetadataKey"/>).</param>
    /// <param name="strength">How strongly to apply it: 0 leaves the model as it is, 1 is the adapter as trained.</param>
    /// <returns>What undoes the application when disposed.</returns>
    IDisposable Apply(nn.Module unet, nn.Module textEncoder, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string> metadata, double strength);
}

using DiffusionTune.Contracts;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Engine;

/// <summary>The engine's <see cref="ISaveContext"/>: file names with the step, run metadata, atomic writes.</summary>
public sealed class SaveContext(string outputFolder, string outputName, int step, double epoch, bool isFinal,
    IReadOnlyDictionary<string, string> metadata, StableDiffusionModel model, ModelOutputFormat modelFormat) : ISaveContext
{
    public string OutputFolder => outputFolder;

    public int Step => step;

    public double Epoch => epoch;

    public bool IsFinal => isFinal;

    public string FileStem => isFinal ? outputName : $"{outputName}-step{step:D6}";

    public IReadOnlyDictionary<string, string> Metadata => metadata;

    public SavedFile WriteSafetensors(string fileName, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> fileMetadata, string format)
    {
        if (fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || fileName.Contains(".."))
            throw new ArgumentException($"'{fileName}' is not a plain file name");
        var path = Path.Combine(outputFolder, fileName);
        SafetensorsWriter.Save(path, tensors, fileMetadata);
        return new SavedFile(path, format);
    }

    public SavedFile WriteModel(string name)
    {
        var stem = Path.Combine(outputFolder, name);
        var combined = new Dictionary<string, string>(metadata);
        if (modelFormat == ModelOutputFormat.SingleFile)
        {
            var path = stem + ".safetensors";
            model.SaveSingleFile(path, combined);
            return new SavedFile(path, "single-file checkpoint (.safetensors)") { Kind = SavedFileKind.Model };
        }
        model.SaveDiffusers(stem, combined);
        return new SavedFile(stem, "diffusers folder") { Kind = SavedFileKind.Model };
    }
}

/// <summary>How full checkpoints are written.</summary>
public enum ModelOutputFormat
{
    /// <summary>A diffusers folder (unet/, vae/, text_encoder/, tokenizer/, scheduler/).</summary>
    Diffusers,

    /// <summary>One original-layout .safetensors file (A1111, ComfyUI).</summary>
    SingleFile,
}

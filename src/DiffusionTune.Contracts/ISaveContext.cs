namespace DiffusionTune.Contracts;

/// <summary>Where and how a trainer writes its result at a save point.</summary>
public interface ISaveContext
{
    /// <summary>The run's output folder.</summary>
    string OutputFolder { get; }

    /// <summary>Optimizer steps done.</summary>
    int Step { get; }

    /// <summary>Epochs done (fractional).</summary>
    double Epoch { get; }

    /// <summary>True for the last save of the run.</summary>
    bool IsFinal { get; }

    /// <summary>
    /// The file name stem to use: the output name with the step for intermediate saves (<c>mystar-step000500</c>) and
    /// without it for the final one (<c>mystar</c>), so files say which step they hold.
    /// </summary>
    string FileStem { get; }

    /// <summary>The run's full configuration (engine and trainer options, base model, data) as metadata strings.</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Writes tensors as a .safetensors file in the output folder, atomically.</summary>
    SavedFile WriteSafetensors(string fileName, IReadOnlyDictionary<string, TorchSharp.torch.Tensor> tensors, IReadOnlyDictionary<string, string> metadata, string format);

    /// <summary>
    /// Writes the whole (fine-tuned) model as the user asked: a diffusers folder or a single .safetensors file.
    /// </summary>
    SavedFile WriteModel(string name);
}

/// <summary>A file (or folder) a trainer wrote, and its format.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Format">What it is, e.g. "kohya LoRA", "diffusers folder", "A1111 embedding".</param>
public sealed record SavedFile(string Path, string Format)
{
    /// <summary>
    /// What the file is to the host (<see cref="ISaveContext.WriteModel"/> sets <see cref="SavedFileKind.Model"/>;
    /// a trainer marks its adapter files, e.g. <c>save.WriteSafetensors(…) with { Kind = SavedFileKind.Lora }</c>).
    /// Added in contract 1.3.
    /// </summary>
    public SavedFileKind Kind { get; init; } = SavedFileKind.Other;
}

namespace DiffusionTune.IO.Formats;

/// <summary>
/// A tensor of a LoRA-family layer whose shape does not fit the layer it adapts, or the other tensors of its layer.
/// Readers turn it into a <see cref="ModelFileException"/> that names the file and the tensor's key.
/// </summary>
public sealed class AdapterShapeException : ArgumentException
{
    public AdapterShapeException(LoraPart part, long[] shape, string problem)
        : base($"the {part} tensor has shape {AdaptableModule.FormatShape(shape)}, {problem}")
    {
        Part = part;
        Shape = shape;
        Problem = problem;
    }

    /// <summary>Which tensor of the layer is wrong.</summary>
    public LoraPart Part { get; }

    public long[] Shape { get; }

    /// <summary>Why the shape is wrong, phrased to follow "has shape [..], ".</summary>
    public string Problem { get; }
}

namespace DiffusionTune.IO.Formats;

/// <summary>
/// A layer of a model that LoRA-family adapters can change: a Linear (weight <c>[out, in]</c>) or a Conv2d
/// (weight <c>[out, in, kh, kw]</c>), named by its diffusers/transformers module path within its component.
/// </summary>
public sealed class AdaptableModule
{
    public AdaptableModule(ModelComponent component, string name, long[] weightShape)
    {
        if (weightShape.Length is not (2 or 4))
            throw new ArgumentException($"{component.Qualify(name)}: adaptable layers have 2-D or 4-D weights, not {FormatShape(weightShape)}", nameof(weightShape));
        Component = component;
        Name = name;
        WeightShape = weightShape;
    }

    public ModelComponent Component { get; }

    /// <summary>The module path, e.g. <c>down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q</c>.</summary>
    public string Name { get; }

    public long[] WeightShape { get; }

    public long OutFeatures => WeightShape[0];

    public long InFeatures => WeightShape[1];

    public bool IsConvolution => WeightShape.Length == 4;

    /// <summary>The kernel's extent (<c>[kh, kw]</c>); empty for a Linear layer.</summary>
    public long[] Kernel => WeightShape[2..];

    /// <summary>Kernel positions per input channel: kh·kw, or 1 for a Linear layer.</summary>
    public long KernelArea => Kernel.Aggregate(1L, (a, b) => a * b);

    /// <summary>The component-qualified name, as reports show it: <c>unet/down_blocks.0.…to_q</c>.</summary>
    public override string ToString() => Component.Qualify(Name);

    internal static string FormatShape(long[] shape) => $"[{string.Join(", ", shape)}]";
}

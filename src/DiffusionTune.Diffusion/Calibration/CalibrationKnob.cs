using DiffusionTune.Models.Merging;

namespace DiffusionTune.Diffusion.Calibration;

/// <summary>
/// One strength the per-block search moves: a block's α (UNet input, middle, output side, text encoder) or a factor on
/// the block α of the UNet's attention or resnet tensors (<see cref="BlockWeights"/>). Every knob ranges over [0, 1].
/// </summary>
public sealed record CalibrationKnob(string Key, Func<BlockWeights, double> Read, Func<BlockWeights, double, BlockWeights> Write)
{
    public static CalibrationKnob Input { get; } = new("in", w => w.Input ?? w.Global, (w, v) => w with { Input = v });
    public static CalibrationKnob Middle { get; } = new("mid", w => w.Middle ?? w.Global, (w, v) => w with { Middle = v });
    public static CalibrationKnob Output { get; } = new("out", w => w.Output ?? w.Global, (w, v) => w with { Output = v });
    public static CalibrationKnob TextEncoder { get; } = new("te", w => w.TextEncoder ?? w.Global, (w, v) => w with { TextEncoder = v });
    public static CalibrationKnob Attention { get; } = new("attn", w => w.Attention ?? 1, (w, v) => w with { Attention = v });
    public static CalibrationKnob Resnet { get; } = new("resnet", w => w.Resnet ?? 1, (w, v) => w with { Resnet = v });

    /// <summary>The knobs for a fine-tune, with the text encoder's only when it changed.</summary>
    public static IReadOnlyList<CalibrationKnob> For(bool textEncoderChanged) =>
        textEncoderChanged ? [Input, Middle, Output, Attention, Resnet, TextEncoder] : [Input, Middle, Output, Attention, Resnet];

    /// <summary><paramref name="weights"/> with this knob moved by <paramref name="step"/>, kept in [0, 1]; null when it cannot move that way.</summary>
    public BlockWeights? Moved(BlockWeights weights, double step)
    {
        double current = Read(weights);
        double moved = Math.Round(Math.Clamp(current + step, 0, 1), 6);
        return moved == current ? null : Write(weights, moved);
    }
}

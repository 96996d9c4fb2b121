namespace DiffusionTune.Models.Merging;

/// <summary>
/// The three stages of an SD-style UNet that block-weighted merges tell apart (A1111/kohya "IN/MID/OUT"): the input
/// side (<c>conv_in</c>, the time embedding, <c>down_blocks</c>), the middle (<c>mid_block</c>) and the output side
/// (<c>up_blocks</c>, <c>conv_norm_out</c>, <c>conv_out</c>).
/// </summary>
public enum UNetBlock
{
    Input,
    Middle,
    Output,
}

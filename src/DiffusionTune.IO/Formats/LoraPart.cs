namespace DiffusionTune.IO.Formats;

/// <summary>What one tensor of a LoRA-family file is to the layer it adapts, whatever the file's dialect calls it.</summary>
public enum LoraPart
{
    /// <summary>The low-rank input projection <c>[r, in(, kh, kw)]</c>: kohya <c>lora_down</c>, PEFT <c>lora_A</c>, diffusers <c>lora.down</c>.</summary>
    Down,

    /// <summary>The low-rank output projection <c>[out, r(, 1, 1)]</c>: kohya <c>lora_up</c>, PEFT <c>lora_B</c>, diffusers <c>lora.up</c>.</summary>
    Up,

    /// <summary>The 0-d scalar alpha; the update is scaled by alpha / rank.</summary>
    Alpha,

    /// <summary>DoRA's magnitude vector, <c>[out, 1, …]</c> or <c>[1, in, …]</c>.</summary>
    DoraScale,

    /// <summary>LoHa: first Hadamard factor's left matrix (<c>[out, r]</c>, or <c>[r, out]</c> with Tucker).</summary>
    HadaW1A,

    /// <summary>LoHa: first Hadamard factor's right matrix (<c>[r, in·kh·kw]</c>, or <c>[r, in]</c> with Tucker).</summary>
    HadaW1B,

    /// <summary>LoHa: second Hadamard factor's left matrix.</summary>
    HadaW2A,

    /// <summary>LoHa: second Hadamard factor's right matrix.</summary>
    HadaW2B,

    /// <summary>LoHa: first factor's Tucker core <c>[r, r, kh, kw]</c>.</summary>
    HadaT1,

    /// <summary>LoHa: second factor's Tucker core <c>[r, r, kh, kw]</c>.</summary>
    HadaT2,

    /// <summary>LoKr: the small Kronecker factor, stored whole.</summary>
    LokrW1,

    /// <summary>LoKr: the small factor's left low-rank matrix.</summary>
    LokrW1A,

    /// <summary>LoKr: the small factor's right low-rank matrix.</summary>
    LokrW1B,

    /// <summary>LoKr: the large Kronecker factor, stored whole (2-D, or 4-D for a convolution).</summary>
    LokrW2,

    /// <summary>LoKr: the large factor's left low-rank matrix (<c>[out₂, r]</c>, or <c>[r, out₂]</c> with Tucker).</summary>
    LokrW2A,

    /// <summary>LoKr: the large factor's right low-rank matrix.</summary>
    LokrW2B,

    /// <summary>LoKr: the large factor's Tucker core <c>[r, r, kh, kw]</c>.</summary>
    LokrT2,
}

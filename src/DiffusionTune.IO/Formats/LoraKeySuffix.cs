namespace DiffusionTune.IO.Formats;

/// <summary>
/// How a LoRA-family key ends: the suffix that says which <see cref="LoraPart"/> the tensor is. A few old diffusers
/// keys name the adapted module's child inside the suffix (<c>attn1.processor.to_q_lora.down.weight</c> adapts
/// <c>attn1.to_q</c>); <see cref="Child"/> holds that child.
/// </summary>
internal sealed record LoraKeySuffix(string Suffix, LoraPart Part, string? Child = null);

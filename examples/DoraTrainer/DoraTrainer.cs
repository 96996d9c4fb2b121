using DiffusionTune.Contracts;

namespace DiffusionTune.Examples.Dora;

/// <summary>
/// DoRA, weight-decomposed low-rank adaptation, as a plugin written against the public contract only: it adapts the
/// UNet's attention projections and writes a LyCORIS-style file (kohya LoRA keys plus <c>dora_scale</c>) that
/// DiffusionTune, ComfyUI and A1111's Lora extension load.
/// </summary>
public sealed class DoraTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("dora",
        "Weight-decomposed low-rank adaptation of the UNet's attention (magnitude + LoRA direction)",
        new Version(1, 0, 0),
        [
            new TrainerOption("rank", TrainerOptionKind.Integer, 8L, "Rank of the direction update") { Minimum = 1, Maximum = 1024 },
            new TrainerOption("alpha", TrainerOptionKind.Number, 8.0, "The direction update is scaled by alpha / rank") { Minimum = 1e-4, Maximum = 1024 },
        ])
    {
        Produces = "LyCORIS DoRA .safetensors (lora_unet_… with .lora_down/.lora_up/.alpha/.dora_scale)",
    };

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => new DoraSession(context);
}

using DiffusionTune.Contracts;

namespace DiffusionTune.Trainers.Lora;

/// <summary>
/// LoRA: trains low-rank updates of the UNet's attention (and optionally feed-forward, resnet convolutions and the text
/// encoder) while the base model stays frozen; writes kohya-format .safetensors that A1111, ComfyUI and DiffusionTune load.
/// </summary>
public sealed class LoraTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("lora",
        "Low-rank adaptation of the UNet (and optionally the text encoder); small files that stack and merge",
        new Version(1, 0, 0),
        [
            new TrainerOption("rank", TrainerOptionKind.Integer, 8L, "Rank of each update (network dim)") { Minimum = 1, Maximum = 1024 },
            new TrainerOption("alpha", TrainerOptionKind.Number, 8.0, "Scale numerator: the update is multiplied by alpha / rank") { Minimum = 1e-4, Maximum = 1024 },
            new TrainerOption("dropout", TrainerOptionKind.Number, 0.0, "Dropout on the LoRA input during training") { Minimum = 0, Maximum = 0.9 },
            new TrainerOption("targets", TrainerOptionKind.Choice, LoraTargets.Transformer,
                "Which UNet layers: attention (q/k/v/out), transformer (+ proj_in/out and feed-forward, kohya's default), all (+ resnet convolutions, LoCon)")
            {
                Choices = [LoraTargets.Attention, LoraTargets.Transformer, LoraTargets.All],
            },
            new TrainerOption("train_text_encoder", TrainerOptionKind.Boolean, false, "Also adapt the text encoder's attention and MLP layers"),
            new TrainerOption("text_encoder_lr_ratio", TrainerOptionKind.Number, 0.5, "Text-encoder learning rate as a multiple of the run's") { Minimum = 0, Maximum = 10 },
            new TrainerOption("image_free_prior_weight", TrainerOptionKind.Number, 0.0,
                "Weight of class-token regularisation without class images: on the class prompt the adapted model must keep the base model's prediction (0 = off)")
            {
                Minimum = 0,
                Maximum = 10,
            },
        ])
    {
        Produces = "kohya LoRA .safetensors (lora_unet_…/lora_te_…, ss_* metadata)",
    };

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => new LoraSession(context);
}

using DiffusionTune.Contracts;

namespace DiffusionTune.Trainers.DreamBooth;

/// <summary>
/// DreamBooth (Ruiz et al. 2022): fine-tunes the whole UNet (optionally the text encoder) on a few images of a
/// subject named by a rare identifier plus its class noun. Prior preservation comes from the engine (generated or
/// user-supplied class images mixed into the batches, weighted) or, without images, from this trainer: on the class
/// prompt the tuned UNet must keep predicting what a frozen copy of the base UNet predicts.
/// </summary>
public sealed class DreamBoothTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("dreambooth",
        "Full fine-tune of the UNet (optionally the text encoder) on a subject, with prior preservation",
        new Version(1, 0, 0),
        [
            new TrainerOption("train_text_encoder", TrainerOptionKind.Boolean, false, "Also fine-tune the text encoder"),
            new TrainerOption("text_encoder_lr_ratio", TrainerOptionKind.Number, 1.0, "Text-encoder learning rate as a multiple of the run's") { Minimum = 0, Maximum = 10 },
            new TrainerOption("image_free_prior_weight", TrainerOptionKind.Number, 0.0,
                "Weight of class-token regularisation without class images: on the class prompt the tuned UNet must match a frozen copy of the base UNet (0 = off; costs a second UNet in memory)")
            {
                Minimum = 0,
                Maximum = 10,
            },
        ])
    {
        Produces = "a full checkpoint (diffusers folder or single .safetensors, as chosen with --model-format)",
    };

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => new DreamBoothSession(context);
}

using DiffusionTune.Contracts;

namespace MyTrainer;

/// <summary>
/// The trainer the host finds in this plugin (any public class implementing <see cref="ITrainer"/> with a public
/// parameterless constructor). This one is a small working start: a LoRA on the UNet's cross-attention key and value
/// projections, the layers through which the prompt reaches the image (what Custom Diffusion trains).
/// </summary>
public sealed class CrossAttentionLoraTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("my-trainer",
        "LoRA on the UNet's cross-attention keys and values",
        new Version(1, 0, 0),
        [
            new TrainerOption("rank", TrainerOptionKind.Integer, 4L, "Rank of each low-rank update") { Minimum = 1, Maximum = 256 },
        ])
    {
        Produces = "kohya LoRA .safetensors (generate --lora loads it)",
    };

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => new CrossAttentionLoraSession(context);
}

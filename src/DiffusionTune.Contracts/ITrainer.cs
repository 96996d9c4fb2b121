namespace DiffusionTune.Contracts;

/// <summary>
/// A training method (DreamBooth, LoRA, textual inversion, …) as a plugin provides it. The host discovers every
/// public non-abstract class implementing this interface in a plugin assembly and creates it with its public
/// parameterless constructor. The host's training engine does the rest of the work (data, latents, optimizer, mixed
/// precision, checkpoints and resume, sampling, logging): a trainer says what to train and how the loss is computed.
/// </summary>
public interface ITrainer
{
    /// <summary>Name, version, description and options of this trainer.</summary>
    TrainerInfo Info { get; }

    /// <summary>
    /// Prepares a run: freezes, adds or selects parameters, and returns the session that trains them. Called once per
    /// run, after the base model is loaded and before any data is read. Throw <see cref="ArgumentException"/> for
    /// option values that cannot work together; the host shows the message.
    /// </summary>
    ITrainingSession Begin(ITrainingContext context);
}

namespace DiffusionTune.Contracts;

/// <summary>
/// What a trainer declares about itself. The host reads it once, when it loads the plugin; a trainer whose
/// <see cref="ITrainer.Info"/> throws, is null, has a null member or breaks the rule for <paramref name="Name"/> is not
/// loaded (<c>plugins list</c> says why).
/// </summary>
/// <param name="Name">The name users select it by (<c>--trainer lora</c>): lower-case letters, digits and hyphens.</param>
/// <param name="Description">One line for <c>plugins list</c>.</param>
/// <param name="Version">The trainer's own version (shown to users, written into output metadata).</param>
/// <param name="Options">The trainer's own options (the engine's common options come in addition).</param>
public sealed record TrainerInfo(string Name, string Description, Version Version, IReadOnlyList<TrainerOption> Options)
{
    /// <summary>The contract version the plugin was compiled against; leave the default.</summary>
    public Version ContractVersion { get; init; } = new(Contracts.ContractVersion.Major, Contracts.ContractVersion.Minor);

    /// <summary>What the trainer writes, for users deciding what to run (e.g. "kohya LoRA .safetensors").</summary>
    public string Produces { get; init; } = "";
}

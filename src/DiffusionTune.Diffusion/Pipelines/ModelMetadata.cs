namespace DiffusionTune.Diffusion.Pipelines;

/// <summary>
/// The <c>__metadata__</c> keys DiffusionTune writes into single-file checkpoints so that a file it wrote can be loaded
/// again with no outside information: every component config, the scheduler config and (when small) the tokenizer.
/// </summary>
public static class ModelMetadata
{
    public const string UNetConfig = "diffusiontune.unet_config";
    public const string VaeConfig = "diffusiontune.vae_config";
    public const string TextEncoderConfig = "diffusiontune.text_encoder_config";
    public const string SchedulerConfig = "diffusiontune.scheduler_config";
    public const string TokenizerVocabulary = "diffusiontune.tokenizer.vocab_json";
    public const string TokenizerMerges = "diffusiontune.tokenizer.merges_txt";
    public const string TokenizerConfig = "diffusiontune.tokenizer.tokenizer_config_json";

    /// <summary>The LoRAs merged into a model by <c>merge-lora</c>: a JSON array of <c>{name, hash, strength}</c>.</summary>
    public const string MergedLoras = "diffusiontune.merged_loras";

    /// <summary>A model made by <c>merge</c>: a JSON object <c>{base, tuned, alpha}</c> (the models' name, hash and path; the α spec).</summary>
    public const string Merge = "diffusiontune.merge";

    /// <summary>A LoRA whose per-block strengths <c>merge --lora</c> baked in: a JSON object <c>{source, alpha}</c>.</summary>
    public const string LoraBlockStrengths = "diffusiontune.block_strengths";

    /// <summary>
    /// A model or LoRA written by <c>calibrate</c>: a JSON object <c>{base, tuned, loras, alpha, budget, general_drift,
    /// concept_fidelity}</c> (the chosen strengths and what they measured).
    /// </summary>
    public const string Calibration = "diffusiontune.calibration";

    /// <summary>A LoRA made by <c>extract-lora</c>: a JSON object saying from which models, how ranks were chosen, and what it retains.</summary>
    public const string LoraExtraction = "diffusiontune.extraction";

    /// <summary>
    /// The word that names what a trained adapter or model learned (the instance prompt's identifier, e.g. <c>sks</c>):
    /// the trigger <c>--gated</c> gates it on when none is given.
    /// </summary>
    public const string Trigger = "diffusiontune.trigger";

    /// <summary>Tokenizers larger than this (the 49k-entry CLIP vocabulary is ~1.7 MB) are not embedded.</summary>
    public const int MaxEmbeddedTokenizerBytes = 256 * 1024;
}

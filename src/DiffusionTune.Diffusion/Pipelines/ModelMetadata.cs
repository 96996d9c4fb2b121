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

    /// <summary>Tokenizers larger than this (the 49k-entry CLIP vocabulary is ~1.7 MB) are not embedded.</summary>
    public const int MaxEmbeddedTokenizerBytes = 256 * 1024;
}

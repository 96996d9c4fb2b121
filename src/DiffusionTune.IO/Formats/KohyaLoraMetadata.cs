namespace DiffusionTune.IO.Formats;

/// <summary>
/// What a kohya LoRA file says about its base model and training, beyond what <see cref="KohyaLoraWriter"/> derives
/// from the layers themselves (network module, dim, alpha, args, hashes).
/// </summary>
public sealed record KohyaLoraMetadata
{
    /// <summary>The base model is SD 2.x (<c>ss_v2</c>).</summary>
    public bool V2 { get; init; }

    /// <summary>The base model predicts v rather than noise.</summary>
    public bool VPrediction { get; init; }

    /// <summary>sd-scripts' <c>ss_base_model_version</c>: <c>sd_v1</c> or <c>sd_v2</c>, with <c>_v</c> for v-prediction.</summary>
    public string BaseModelVersion => $"sd_{(V2 ? "v2" : "v1")}{(VPrediction ? "_v" : "")}";

    /// <summary>
    /// Further keys written as given: sd-scripts' training keys (<c>ss_learning_rate</c>, <c>ss_steps</c>,
    /// <c>ss_output_name</c>, …) or any others (<c>modelspec.*</c>). Only the <c>ss_*</c> ones enter the hashes, as in sd-scripts.
    /// </summary>
    public IReadOnlyDictionary<string, string> Training { get; init; } = new Dictionary<string, string>();
}

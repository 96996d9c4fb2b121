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

    /// <summary>
    /// The metadata of a file rewritten from another LoRA file's: its base model (from <c>ss_v2</c> and
    /// <c>ss_base_model_version</c>, or <paramref name="v2"/> and <paramref name="vPrediction"/> where it has none), its
    /// other keys kept (those <see cref="KohyaLoraWriter"/> derives are dropped, to be derived anew), and
    /// <paramref name="added"/> set over them.
    /// </summary>
    public static KohyaLoraMetadata Rewritten(IReadOnlyDictionary<string, string> source, IReadOnlyDictionary<string, string> added, bool v2, bool vPrediction)
    {
        var training = source.Where(m => !KohyaLoraWriter.DerivedKeys.Contains(m.Key)).ToDictionary();
        foreach (var (key, value) in added) training[key] = value;
        return new KohyaLoraMetadata
        {
            V2 = source.TryGetValue("ss_v2", out var storedV2) ? storedV2 == "True" : v2,
            VPrediction = source.TryGetValue("ss_base_model_version", out var version) ? version.EndsWith("_v", StringComparison.Ordinal) : vPrediction,
            Training = training,
        };
    }
}

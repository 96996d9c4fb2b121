using System.Globalization;
using System.Text.Json;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// Writes LoRAs in kohya's format, the one A1111 and ComfyUI load: per layer <c>lora_unet_…</c>/<c>lora_te_…</c>
/// <c>.lora_down.weight</c>, <c>.lora_up.weight</c> and a 0-d <c>.alpha</c> (plus LyCORIS' <c>.dora_scale</c> for DoRA),
/// with sd-scripts' <c>ss_*</c> metadata and its <c>sshs_model_hash</c>/<c>sshs_legacy_hash</c>.
/// </summary>
public static class KohyaLoraWriter
{
    /// <summary><c>ss_network_module</c> of plain LoRA/LoCon files (sd-scripts' own module).</summary>
    public const string LoraNetworkModule = "networks.lora";

    /// <summary><c>ss_network_module</c> of DoRA files, which only LyCORIS' kohya module trains.</summary>
    public const string LycorisNetworkModule = "lycoris.kohya";

    /// <summary>The metadata key of <see cref="AddnetHash.LegacyOfStream"/>.</summary>
    public const string LegacyHashKey = "sshs_legacy_hash";

    /// <summary>The metadata keys this writer derives from the layers (and hashes), which callers must not pass.</summary>
    public static IReadOnlySet<string> DerivedKeys { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "ss_v2", "ss_base_model_version", "ss_network_module", "ss_network_dim", "ss_network_alpha", "ss_network_args",
        LoraNetwork.ModelHashKey, LegacyHashKey,
    };

    /// <summary>
    /// Writes <paramref name="layers"/> to <paramref name="path"/> (atomically), their factors and DoRA magnitudes in
    /// <paramref name="dtype"/> (sd-scripts' usual <c>--save_precision fp16</c> by default).
    /// </summary>
    /// <exception cref="ArgumentException">No layers, two layers for one module, or metadata that sets a key this writer derives.</exception>
    /// <param name="overwrite">False for a new file that must not replace one, even one written meanwhile by another process.</param>
    public static void Save(string path, IReadOnlyCollection<LowRankLayer> layers, KohyaLoraMetadata metadata, ScalarType dtype = ScalarType.Float16, bool overwrite = true)
    {
        if (layers.Count == 0) throw new ArgumentException("a LoRA file needs at least one layer", nameof(layers));
        var derived = NetworkMetadata(layers, metadata);
        var clash = metadata.Training.Keys.FirstOrDefault(DerivedKeys.Contains);
        if (clash is not null)
            throw new ArgumentException($"the metadata key '{clash}' is derived from the layers; do not pass it", nameof(metadata));

        // Everything created here (dtype copies, alpha scalars) is released with the scope.
        using var scope = NewDisposeScope();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var layer in layers)
        {
            var name = KohyaLoraNames.Of(layer.Target);
            tensors.Add(new(name + KohyaLoraNames.DownSuffix, layer.Down.detach().to(dtype)));
            tensors.Add(new(name + KohyaLoraNames.UpSuffix, layer.Up.detach().to(dtype)));
            // Alpha stays float32 whatever the factors' dtype: rounding it to fp16 would change the scale.
            tensors.Add(new(name + KohyaLoraNames.AlphaSuffix, tensor((float)layer.Alpha!.Value)));
            if (layer.Dora is { } dora)
                tensors.Add(new(name + LycorisLoraKeys.DoraScaleSuffix, dora.Scale.detach().to(dtype)));
        }

        var all = new Dictionary<string, string>(metadata.Training);
        foreach (var (key, value) in derived) all[key] = value;
        // sd-scripts hashes a serialisation that carries only the ss_* keys, so that other metadata can change freely.
        using var hashed = new MemoryStream();
        SafetensorsWriter.Write(hashed, tensors, all.Where(m => m.Key.StartsWith("ss_", StringComparison.Ordinal)).ToDictionary());
        all[LoraNetwork.ModelHashKey] = AddnetHash.OfStream(hashed);
        all[LegacyHashKey] = AddnetHash.LegacyOfStream(hashed);
        SafetensorsWriter.Save(path, tensors, all, overwrite);
    }

    /// <summary>sd-scripts' minimum metadata set, derived from the layers: the most common linear rank/alpha is the network's dim/alpha.</summary>
    static Dictionary<string, string> NetworkMetadata(IReadOnlyCollection<LowRankLayer> layers, KohyaLoraMetadata metadata)
    {
        var duplicate = layers.GroupBy(l => (l.Target.Component, l.Target.Name)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"two layers adapt {duplicate.First().Target}", nameof(layers));

        var pointwise = layers.Where(l => l.Target.KernelArea == 1).ToList();
        var spatial = layers.Where(l => l.Target.KernelArea > 1).ToList();
        var main = pointwise.Count > 0 ? pointwise : spatial;
        var arguments = new Dictionary<string, string>();
        if (spatial.Count > 0)
        {
            arguments["conv_dim"] = MostCommon(spatial.Select(l => l.Rank!.Value)).ToString(CultureInfo.InvariantCulture);
            arguments["conv_alpha"] = MostCommon(spatial.Select(l => l.Alpha!.Value)).ToString("R", CultureInfo.InvariantCulture);
        }
        var dora = layers.Select(l => l.Dora).FirstOrDefault(d => d is not null);
        if (dora is not null)
        {
            arguments["algo"] = "lora";
            arguments["dora_wd"] = "True";
            arguments["wd_on_output"] = dora.Axis == DoraAxis.Output ? "True" : "False";
        }
        return new Dictionary<string, string>
        {
            ["ss_v2"] = PythonBool(metadata.V2),
            ["ss_base_model_version"] = metadata.BaseModelVersion,
            ["ss_network_module"] = dora is null ? LoraNetworkModule : LycorisNetworkModule,
            ["ss_network_dim"] = MostCommon(main.Select(l => l.Rank!.Value)).ToString(CultureInfo.InvariantCulture),
            ["ss_network_alpha"] = PythonFloat(MostCommon(main.Select(l => l.Alpha!.Value))),
            ["ss_network_args"] = JsonSerializer.Serialize(arguments),
        };
    }

    static T MostCommon<T>(IEnumerable<T> values) where T : notnull =>
        values.GroupBy(v => v).OrderByDescending(g => g.Count()).First().Key;

    static string PythonBool(bool value) => value ? "True" : "False";

    /// <summary>A float as Python's <c>str()</c> writes it (sd-scripts stores <c>str(args.network_alpha)</c>): 1 → "1.0".</summary>
    static string PythonFloat(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }
}

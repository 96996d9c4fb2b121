using static TorchSharp.torch;
using DiffusionTune.IO.Safetensors;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// A LoRA-family file read for one model: every layer it adapts, normalised to <see cref="LoraLayer"/>s keyed by the
/// model's own module names, whatever the file's dialect (kohya/A1111 LoRA and LoCon, PEFT, diffusers, LyCORIS LoHa
/// and LoKr, any of them with DoRA). Keys the reader does not understand and keys naming modules the model lacks are
/// listed, not fatal; tensors whose shapes do not fit the model are. Owns its layers.
/// </summary>
public sealed class LoraNetwork : IDisposable
{
    /// <summary>The metadata key kohya writes the SHA-256 of the file's tensor data under (A1111's LoRA hash).</summary>
    public const string ModelHashKey = "sshs_model_hash";

    static readonly LoraPart[] Shared = [LoraPart.Alpha, LoraPart.DoraScale];
    static readonly LoraPart[] LowRankParts = [LoraPart.Down, LoraPart.Up, .. Shared];
    static readonly LoraPart[] LohaParts =
        [LoraPart.HadaW1A, LoraPart.HadaW1B, LoraPart.HadaW2A, LoraPart.HadaW2B, LoraPart.HadaT1, LoraPart.HadaT2, .. Shared];
    static readonly LoraPart[] LokrParts =
        [LoraPart.LokrW1, LoraPart.LokrW1A, LoraPart.LokrW1B, LoraPart.LokrW2, LoraPart.LokrW2A, LoraPart.LokrW2B, LoraPart.LokrT2, .. Shared];

    readonly Lazy<string> _shortHash;

    LoraNetwork(string path, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<LoraLayer> layers,
        IReadOnlyList<string> unknownKeys, IReadOnlyList<string> unmatchedKeys)
    {
        FilePath = path;
        Metadata = metadata;
        Layers = layers;
        UnknownKeys = unknownKeys;
        UnmatchedKeys = unmatchedKeys;
        _shortHash = new(() => (metadata.GetValueOrDefault(ModelHashKey) ?? AddnetHash.OfFile(path))[..AddnetHash.ShortLength]);
    }

    public string FilePath { get; }

    /// <summary>The name A1111 shows: the file name without extension.</summary>
    public string Name => Path.GetFileNameWithoutExtension(FilePath);

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyList<LoraLayer> Layers { get; }

    /// <summary>
    /// Keys of no LoRA dialect this reader knows, and every key of a layer that is incomplete or carries such a key;
    /// they were ignored.
    /// </summary>
    public IReadOnlyList<string> UnknownKeys { get; }

    /// <summary>Keys for modules this model does not have (another architecture, or more text-encoder layers); they were ignored.</summary>
    public IReadOnlyList<string> UnmatchedKeys { get; }

    /// <summary>A1111's short LoRA hash (for "Lora hashes" in image metadata): the first 12 hex digits of the tensor data's SHA-256.</summary>
    public string ShortHash => _shortHash.Value;

    /// <summary>Reads <paramref name="path"/> for the model whose adaptable layers are <paramref name="targets"/>.</summary>
    /// <exception cref="ModelFileException">
    /// The file is not valid safetensors, adapts none of the model's layers, or holds a tensor whose shape does not fit,
    /// whose values are not floating-point (integer or bool factors, a bool alpha), or that holds NaN or ±∞.
    /// </exception>
    public static LoraNetwork Read(string path, AdapterTargets targets)
    {
        using var file = SafetensorsFile.Open(path);
        var unknown = new List<string>();
        var groups = new Dictionary<string, Dictionary<LoraPart, string>>(StringComparer.Ordinal);
        // kohya names end at the first '.', so an unknown tensor of a known layer (LoCon's Tucker lora_mid, LyCORIS'
        // diff or norm tensors) is recognisable: such a layer is skipped whole rather than applied without it.
        var partlyUnknown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in file.Entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (!LoraKeyGrammar.TryParse(entry.Name, out var moduleKey, out var part))
            {
                unknown.Add(entry.Name);
                int dot = entry.Name.IndexOf('.');
                if (dot > 0) partlyUnknown.Add(entry.Name[..dot]);
                continue;
            }
            if (!groups.TryGetValue(moduleKey, out var parts)) groups[moduleKey] = parts = [];
            if (!parts.TryAdd(part, entry.Name))
                throw new ModelFileException(path, $"'{parts[part]}' and '{entry.Name}' are both the {part} tensor of one layer");
        }

        var layers = new List<LoraLayer>();
        var unmatched = new List<string>();
        try
        {
            foreach (var (moduleKey, parts) in groups)
            {
                var target = LoraKeyGrammar.Resolve(moduleKey, targets);
                if (target is null)
                    unmatched.AddRange(parts.Values);
                else if (IsComplete(parts.Keys) && !partlyUnknown.Contains(moduleKey))
                    layers.Add(Build(file, target, parts));
                else
                    unknown.AddRange(parts.Values);
            }
        }
        catch
        {
            foreach (var layer in layers) layer.Dispose();
            throw;
        }

        if (layers.Count == 0)
        {
            var problem = unmatched.Count > 0
                ? $"adapts no layer of this model: none of its {unmatched.Count} LoRA tensor(s) names one of its modules (first: '{unmatched[0]}'); is it a LoRA for another architecture, such as SDXL?"
                : $"holds no complete LoRA layer of a known format (kohya, PEFT, diffusers, LyCORIS LoHa/LoKr){(unknown.Count > 0 ? $"; first key: '{unknown[0]}'" : "")}";
            throw new ModelFileException(path, problem);
        }
        return new LoraNetwork(Path.GetFullPath(path), file.Metadata, layers, unknown, unmatched);
    }

    static bool IsComplete(IReadOnlyCollection<LoraPart> parts)
    {
        bool Has(LoraPart part) => parts.Contains(part);
        bool Within(LoraPart[] allowed) => parts.All(allowed.Contains);
        if (Has(LoraPart.Down) || Has(LoraPart.Up))
            return Has(LoraPart.Down) && Has(LoraPart.Up) && Within(LowRankParts);
        if (Has(LoraPart.HadaW1A))
            return Has(LoraPart.HadaW1B) && Has(LoraPart.HadaW2A) && Has(LoraPart.HadaW2B) && Has(LoraPart.HadaT1) == Has(LoraPart.HadaT2)
                && Within(LohaParts);
        bool smallFactor = Has(LoraPart.LokrW1)
            ? !Has(LoraPart.LokrW1A) && !Has(LoraPart.LokrW1B)
            : Has(LoraPart.LokrW1A) && Has(LoraPart.LokrW1B);
        bool largeFactor = Has(LoraPart.LokrW2)
            ? !Has(LoraPart.LokrW2A) && !Has(LoraPart.LokrW2B) && !Has(LoraPart.LokrT2)
            : Has(LoraPart.LokrW2A) && Has(LoraPart.LokrW2B);
        return smallFactor && largeFactor && Within(LokrParts);
    }

    /// <summary>Builds one layer from its complete set of tensors; every tensor read is owned by the layer or disposed.</summary>
    static LoraLayer Build(SafetensorsFile file, AdaptableModule target, Dictionary<LoraPart, string> parts)
    {
        var loaded = new List<Tensor>();
        Tensor? Optional(LoraPart part)
        {
            if (!parts.TryGetValue(part, out var key)) return null;
            RequireDtype(file, key, IsFloatingPoint, "a LoRA factor must be floating-point");
            using var stored = file.Load(key);
            var tensor = stored.to(ScalarType.Float32).DetachFromDisposeScope();
            loaded.Add(tensor);
            return tensor;
        }
        Tensor Required(LoraPart part) => Optional(part)!;

        try
        {
            double? alpha = parts.TryGetValue(LoraPart.Alpha, out var alphaKey) ? ReadScalar(file, alphaKey) : null;
            var doraTensor = Optional(LoraPart.DoraScale);
            var dora = doraTensor is null ? null : new DoraMagnitude(doraTensor, target);
            if (parts.ContainsKey(LoraPart.Down))
                return new LowRankLayer(target, Required(LoraPart.Down), Required(LoraPart.Up), alpha, dora);
            if (parts.ContainsKey(LoraPart.HadaW1A))
                return new LohaLayer(target, Required(LoraPart.HadaW1A), Required(LoraPart.HadaW1B), Required(LoraPart.HadaW2A), Required(LoraPart.HadaW2B),
                    Optional(LoraPart.HadaT1), Optional(LoraPart.HadaT2), alpha, dora);
            return new LokrLayer(target, Optional(LoraPart.LokrW1), Optional(LoraPart.LokrW1A), Optional(LoraPart.LokrW1B),
                Optional(LoraPart.LokrW2), Optional(LoraPart.LokrW2A), Optional(LoraPart.LokrW2B), Optional(LoraPart.LokrT2), alpha, dora);
        }
        catch (AdapterShapeException e)
        {
            foreach (var tensor in loaded) tensor.Dispose();
            throw new ModelFileException(file.FilePath, $"'{parts[e.Part]}' has shape {AdaptableModule.FormatShape(e.Shape)}, {e.Problem}", e);
        }
        catch
        {
            foreach (var tensor in loaded) tensor.Dispose();
            throw;
        }
    }

    static double ReadScalar(SafetensorsFile file, string key)
    {
        // kohya stores an integer alpha (int64) when it defaulted alpha to the rank, so integers are numbers here.
        RequireDtype(file, key, type => type != ScalarType.Bool, "alpha must be a number");
        using var tensor = file.Load(key);
        if (tensor.NumberOfElements != 1)
            throw new ModelFileException(file.FilePath, $"'{key}' should be a scalar but has shape {AdaptableModule.FormatShape(tensor.shape)}");
        using var value = tensor.to(ScalarType.Float64);
        return value.item<double>();
    }

    /// <summary>Refuses a tensor of the wrong kind of values before reading it: an integer or bool factor would be cast and applied silently.</summary>
    static void RequireDtype(SafetensorsFile file, string key, Func<ScalarType, bool> accepted, string rule)
    {
        var entry = file.Entry(key);
        if (!accepted(entry.ScalarType))
            throw new ModelFileException(file.FilePath, $"'{key}' holds {entry.Dtype} values; {rule}");
    }

    static bool IsFloatingPoint(ScalarType type) => type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    public void Dispose()
    {
        foreach (var layer in Layers) layer.Dispose();
    }
}

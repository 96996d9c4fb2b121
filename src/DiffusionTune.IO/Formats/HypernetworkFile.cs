using System.Globalization;
using System.Text.RegularExpressions;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// Reads A1111 hypernetworks, from the torch.save <c>.pt</c> files A1111 writes (through the restricted
/// <see cref="TorchPickleFile"/>) and from DiffusionTune's <c>.safetensors</c> form of the same thing.
/// </summary>
/// <remarks>
/// <para>The .pt file is a dict: integer keys (context widths) map to a tuple of two state dicts (K module, V module)
/// holding <c>linear.{i}.weight</c> / <c>linear.{i}.bias</c>, where i is the slot's index in the module's Sequential
/// (see <see cref="HypernetworkStructure.Slots"/>); string keys hold the design and bookkeeping: <c>layer_structure</c>,
/// <c>activation_func</c>, <c>is_layer_norm</c>, <c>weight_initialization</c>, <c>dropout_structure</c>,
/// <c>use_dropout</c>, <c>last_layer_dropout</c>, <c>activate_output</c>, <c>name</c>, <c>step</c>,
/// <c>sd_checkpoint</c>, <c>sd_checkpoint_name</c>. Missing keys take A1111's loading defaults (layer structure 1, 2, 1;
/// no activation; activate_output true), and the oldest files' <c>linear1</c>/<c>linear2</c> names mean slots 0 and 1.</para>
/// <para>The .safetensors form holds the same tensors under <c>{width}.{k|v}.linear.{i}.{weight|bias}</c>, for
/// example <c>768.k.linear.0.weight</c> [1536, 768], and the same design keys in its metadata as text (lists and
/// booleans as JSON; see <see cref="HypernetworkStructure.ToMetadata"/>), plus <c>name</c> and <c>step</c>.</para>
/// </remarks>
public static partial class HypernetworkFile
{
    const int MaxWidth = 65536;

    /// <summary>The tensors of one module: name within the module (<c>linear.0.weight</c>) → shape and loader.</summary>
    sealed class ModuleTensors : Dictionary<string, (IReadOnlyList<long> Shape, Func<Tensor> Load)>
    {
        public ModuleTensors() : base(StringComparer.Ordinal) { }
    }

    /// <summary>Reads <paramref name="path"/> (.safetensors, or a torch.save .pt).</summary>
    /// <exception cref="ModelFileException">The file is unreadable, unsafe, or not a consistent hypernetwork.</exception>
    public static Hypernetwork Read(string path)
    {
        if (Path.GetExtension(path).Equals(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            using var file = SafetensorsFile.Open(path);
            return FromSafetensors(file);
        }
        using var pickle = TorchPickleFile.Open(path);
        return FromTorchPickle(pickle);
    }

    static Hypernetwork FromSafetensors(SafetensorsFile file)
    {
        var metadata = file.Metadata;
        string? Value(string key) => metadata.TryGetValue(key, out var value) ? value : null;
        var layers = Value("layer_structure") is { } layerText ? Numbers(file.FilePath, "layer_structure", layerText) : [1.0, 2.0, 1.0];
        var structure = Structure(file.FilePath, layers, Value("activation_func"), Flag(file.FilePath, Value("is_layer_norm"), false),
            Value("dropout_structure") is { } dropoutText ? Numbers(file.FilePath, "dropout_structure", dropoutText) : null,
            Flag(file.FilePath, Value("use_dropout"), false), Flag(file.FilePath, Value("last_layer_dropout"), false),
            Flag(file.FilePath, Value("activate_output"), true), Value("weight_initialization"));

        var modules = new Dictionary<(int, char), ModuleTensors>();
        foreach (var entry in file.Entries)
        {
            var match = SafetensorsKey().Match(entry.Name);
            if (!match.Success)
                throw new ModelFileException(file.FilePath, $"'{entry.Name}' is not a hypernetwork tensor name ({{width}}.{{k|v}}.linear.{{i}}.{{weight|bias}})");
            var key = (Width(file.FilePath, match.Groups[1].Value), match.Groups[2].Value[0]);
            if (!modules.TryGetValue(key, out var tensors)) modules[key] = tensors = new ModuleTensors();
            tensors[match.Groups[3].Value] = (entry.Shape, () => file.Load(entry));
        }
        long? step = long.TryParse(Value("step"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        return Build(file.FilePath, Value("name"), structure, modules, step);
    }

    static Hypernetwork FromTorchPickle(TorchPickleFile file)
    {
        var path = file.FilePath;
        if (file.Root is not PickleDict root) throw new ModelFileException(path, $"holds {PickleGlobals.Describe(file.Root)}, not a hypernetwork dict");
        object? Value(string key) => root.TryGetValue(key, out var value) ? value : null;

        var layers = Value("layer_structure") is { } layerValue ? Numbers(path, "layer_structure", layerValue) : [1.0, 2.0, 1.0];
        var structure = Structure(path, layers, Value("activation_func") as string, Value("is_layer_norm") as bool? ?? false,
            Value("dropout_structure") is { } dropoutValue ? Numbers(path, "dropout_structure", dropoutValue) : null,
            Value("use_dropout") as bool? ?? false, Value("last_layer_dropout") as bool? ?? false,
            Value("activate_output") as bool? ?? true, Value("weight_initialization") as string);

        var modules = new Dictionary<(int, char), ModuleTensors>();
        foreach (var (key, value) in root.Items)
        {
            if (key is not long width) continue;
            if (width is < 1 or > MaxWidth) throw new ModelFileException(path, $"has a module for context width {width}");
            if (value is not PickleTuple { Items: [PickleDict keyModule, PickleDict valueModule] })
                throw new ModelFileException(path, $"width {width} holds {PickleGlobals.Describe(value)}, not a (K, V) pair of state dicts");
            modules[((int)width, 'k')] = StateDict(file, keyModule, width, 'k');
            modules[((int)width, 'v')] = StateDict(file, valueModule, width, 'v');
        }
        return Build(path, Value("name") as string, structure, modules, Value("step") as long?);
    }

    /// <summary>One module's state dict; its tensors are named in messages as the .safetensors form names them ({width}.{k|v}.{name}).</summary>
    static ModuleTensors StateDict(TorchPickleFile file, PickleDict stateDict, long width, char side)
    {
        var tensors = new ModuleTensors();
        foreach (var (key, value) in stateDict.Items)
        {
            if (key is not string name || value is not PickleTensor tensor)
                throw new ModelFileException(file.FilePath, $"width {width}: the state dict holds {PickleGlobals.Describe(value)} under {PickleGlobals.Describe(key)}");
            tensors[LegacyName(name)] = (tensor.Shape, () => file.Load(tensor, $"{width}.{side}.{name}"));
        }
        return tensors;
    }

    /// <summary>The first hypernetworks had two fixed Linears named linear1 and linear2 (A1111's fix_old_state_dict).</summary>
    static string LegacyName(string name) => name switch
    {
        "linear1.weight" => "linear.0.weight",
        "linear1.bias" => "linear.0.bias",
        "linear2.weight" => "linear.1.weight",
        "linear2.bias" => "linear.1.bias",
        _ => name,
    };

    static HypernetworkStructure Structure(string path, IReadOnlyList<double> layers, string? activation, bool layerNorm,
        IReadOnlyList<double>? dropout, bool useDropout, bool lastLayerDropout, bool activateOutput, string? initialization)
    {
        var structure = new HypernetworkStructure
        {
            LayerStructure = layers,
            Activation = activation?.ToLowerInvariant(),
            LayerNorm = layerNorm,
            DropoutStructure = dropout ?? HypernetworkStructure.LegacyDropout(layers.Count, useDropout, lastLayerDropout),
            ActivateOutput = activateOutput,
            WeightInitialization = initialization ?? "Normal",
        };
        structure.Validate(problem => new ModelFileException(path, problem));
        return structure;
    }

    /// <summary>Checks every module against the design (every tensor present, of the right shape, none extra) and reads it.</summary>
    static Hypernetwork Build(string path, string? name, HypernetworkStructure structure, Dictionary<(int Width, char Side), ModuleTensors> modules, long? step)
    {
        if (modules.Count == 0) throw new ModelFileException(path, "holds no hypernetwork modules");
        var pairs = new Dictionary<int, HypernetworkModulePair>();
        try
        {
            foreach (var width in modules.Keys.Select(k => k.Width).Distinct().Order())
            {
                if (!modules.TryGetValue((width, 'k'), out var key) || !modules.TryGetValue((width, 'v'), out var value))
                    throw new ModelFileException(path, $"width {width} has only one of its K and V modules");
                var keyLayers = Layers(path, structure, width, 'k', key);
                try
                {
                    pairs[width] = new HypernetworkModulePair(keyLayers, Layers(path, structure, width, 'v', value));
                }
                catch
                {
                    Dispose(keyLayers);
                    throw;
                }
            }
        }
        catch
        {
            foreach (var pair in pairs.Values)
            {
                Dispose(pair.Key);
                Dispose(pair.Value);
            }
            throw;
        }
        var displayName = string.IsNullOrWhiteSpace(name) ? Path.GetFileNameWithoutExtension(path) : name;
        return new Hypernetwork(path, displayName, structure, pairs, step);
    }

    static List<HypernetworkLayer> Layers(string path, HypernetworkStructure structure, int width, char side, ModuleTensors tensors)
    {
        var layers = new List<HypernetworkLayer>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var slot in structure.Slots(width))
            {
                if (slot.Kind is HypernetworkSlotKind.Activation or HypernetworkSlotKind.Dropout)
                {
                    layers.Add(new HypernetworkLayer(slot, null, null));
                    continue;
                }
                long[] weightShape = slot.Kind == HypernetworkSlotKind.Linear ? [slot.Out, slot.In] : [slot.Out];
                var weight = Load(path, tensors, $"linear.{slot.Index}.weight", weightShape, width, side, used);
                try
                {
                    layers.Add(new HypernetworkLayer(slot, weight, Load(path, tensors, $"linear.{slot.Index}.bias", [slot.Out], width, side, used)));
                }
                catch
                {
                    weight.Dispose();
                    throw;
                }
            }
            var extra = tensors.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal).ToList();
            if (extra.Count > 0)
                throw new ModelFileException(path, $"width {width} {side.ToString().ToUpperInvariant()}: tensor(s) {string.Join(", ", extra)} do not fit its design (layer_structure, activation, layer norm, dropout)");
            return layers;
        }
        catch
        {
            Dispose(layers);
            throw;
        }
    }

    static Tensor Load(string path, ModuleTensors tensors, string name, long[] shape, int width, char side, HashSet<string> used)
    {
        if (!tensors.TryGetValue(name, out var stored))
            throw new ModelFileException(path, $"width {width} {side.ToString().ToUpperInvariant()}: '{name}' is missing (its design needs it)");
        if (!stored.Shape.SequenceEqual(shape))
            throw new ModelFileException(path, $"width {width} {side.ToString().ToUpperInvariant()}: '{name}' is [{string.Join(", ", stored.Shape)}], its design needs [{string.Join(", ", shape)}]");
        used.Add(name);
        using var scope = NewDisposeScope();
        var loaded = stored.Load();
        if (!loaded.is_floating_point()) throw new ModelFileException(path, $"width {width}: '{name}' holds {loaded.dtype} values");
        return scope.MoveToOuter(loaded.to(ScalarType.Float32));
    }

    static void Dispose(IEnumerable<HypernetworkLayer> layers)
    {
        foreach (var layer in layers)
        {
            layer.Weight?.Dispose();
            layer.Bias?.Dispose();
        }
    }

    static int Width(string path, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var width) && width is >= 1 and <= MaxWidth
            ? width
            : throw new ModelFileException(path, $"has a module for context width {text}");

    static bool Flag(string path, string? text, bool fallback) => text?.Trim().ToLowerInvariant() switch
    {
        null => fallback,
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw new ModelFileException(path, $"metadata flag '{text}' is not true or false"),
    };

    /// <summary>A list of numbers from metadata text ("[1, 2, 1]" or "1,2,1").</summary>
    static List<double> Numbers(string path, string key, string text)
    {
        var numbers = new List<double>();
        foreach (var part in text.Trim().TrimStart('[').TrimEnd(']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            numbers.Add(double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? number
                : throw new ModelFileException(path, $"{key} '{text}' is not a list of numbers"));
        }
        return numbers;
    }

    /// <summary>A list of numbers from the pickle (a list or tuple of ints and floats).</summary>
    static List<double> Numbers(string path, string key, object value)
    {
        var items = value switch
        {
            PickleList list => list.Items,
            PickleTuple tuple => tuple.Items,
            _ => throw new ModelFileException(path, $"{key} is {PickleGlobals.Describe(value)}, not a list"),
        };
        return items.Select(item => item switch
        {
            long number => number,
            double number when double.IsFinite(number) => number,
            _ => throw new ModelFileException(path, $"{key} holds {PickleGlobals.Describe(item)}, not a number"),
        }).ToList();
    }

    [GeneratedRegex(@"^(\d{1,6})\.([kv])\.(linear\.\d{1,4}\.(?:weight|bias))$")]
    private static partial Regex SafetensorsKey();
}

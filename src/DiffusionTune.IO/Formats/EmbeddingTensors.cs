using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// An embedding file's contents in one shape for every container: tensors by name, nested dicts flattened with dots
/// (so A1111's <c>{"string_to_param": {"*": t}}</c> is <c>string_to_param.*</c> in a .pt as in a .safetensors file), and
/// its scalar values (name, step) as text. Tensors are read when a format asks for them.
/// </summary>
internal sealed class EmbeddingTensors
{
    // A1111 nests its vectors one dict deep; nothing an embedding holds is deeper.
    const int MaxFlattenDepth = 2;

    readonly Dictionary<string, Func<Tensor>> _tensors = new(StringComparer.Ordinal);
    readonly Dictionary<string, IReadOnlyList<long>> _shapes = new(StringComparer.Ordinal);

    EmbeddingTensors(string path) => FilePath = path;

    public string FilePath { get; }

    /// <summary>Every tensor name, in file order.</summary>
    public List<string> Names { get; } = [];

    /// <summary>Scalar values (.pt) or header metadata (.safetensors), as text.</summary>
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public IReadOnlyList<long> Shape(string name) => _shapes[name];

    /// <summary>A new CPU tensor of the stored type.</summary>
    public Tensor Load(string name) => _tensors[name]();

    public static EmbeddingTensors FromSafetensors(SafetensorsFile file)
    {
        var result = new EmbeddingTensors(file.FilePath);
        foreach (var entry in file.Entries) result.Add(entry.Name, entry.Shape, () => file.Load(entry));
        foreach (var (key, value) in file.Metadata) result.Values[key] = value;
        return result;
    }

    public static EmbeddingTensors FromTorchPickle(TorchPickleFile file)
    {
        var result = new EmbeddingTensors(file.FilePath);
        if (file.Root is not PickleDict root)
            throw new ModelFileException(file.FilePath, $"holds {PickleGlobals.Describe(file.Root)}, not a dict of embedding tensors");
        result.Flatten(file, root, "", 1);
        return result;
    }

    void Flatten(TorchPickleFile file, PickleDict dict, string prefix, int depth)
    {
        foreach (var (key, value) in dict.Items)
        {
            var name = prefix + Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture);
            switch (value)
            {
                case PickleTensor tensor:
                    Add(name, tensor.Shape, () => file.Load(tensor, name));
                    break;
                case PickleDict inner when depth < MaxFlattenDepth:
                    Flatten(file, inner, name + ".", depth + 1);
                    break;
                // Old files keep the vectors in a torch.nn.ParameterDict, whose entries are its _parameters.
                case PickleObject { State: PickleDict state } when depth < MaxFlattenDepth && state.TryGetValue("_parameters", out var parameters) && parameters is PickleDict inner:
                    Flatten(file, inner, name + ".", depth + 1);
                    break;
                case string or long or double or bool:
                    Values[name] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
                    break;
            }
        }
    }

    void Add(string name, IReadOnlyList<long> shape, Func<Tensor> load)
    {
        if (!_tensors.TryAdd(name, load)) throw new ModelFileException(FilePath, $"holds two tensors named '{name}'");
        _shapes[name] = shape;
        Names.Add(name);
    }
}

using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// A value that holds other values (dict, list, tuple, object state). <see cref="Depth"/> is how deeply values nest
/// below it, tracked as the unpickler inserts them so that hostile nesting is refused while it is built.
/// </summary>
public abstract class PickleContainer
{
    /// <summary>1 for a container of plain values, one more for every container level below it.</summary>
    public int Depth { get; internal set; } = 1;

    /// <summary>
    /// Set once the container is inside another. Python's pickler fills a container before storing it anywhere, so
    /// the unpickler refuses to add to a sealed one: that keeps <see cref="Depth"/> exact and makes cycles impossible.
    /// </summary>
    internal bool IsSealed { get; set; }
}

/// <summary>
/// A Python <c>dict</c> or <c>collections.OrderedDict</c> read from a pickle, in insertion order. Keys are
/// <see cref="string"/>, <see cref="long"/>, <see cref="double"/> or <see cref="bool"/> (the reader refuses others).
/// </summary>
public sealed class PickleDict : PickleContainer
{
    readonly Dictionary<object, object?> _values = [];
    readonly List<object> _order = [];

    /// <summary>Number of entries.</summary>
    public int Count => _order.Count;

    /// <summary>The entries in insertion order (a key set twice keeps its first position, as in Python).</summary>
    public IEnumerable<KeyValuePair<object, object?>> Items => _order.Select(key => new KeyValuePair<object, object?>(key, _values[key]));

    /// <summary>The keys in insertion order.</summary>
    public IReadOnlyList<object> Keys => _order;

    /// <summary>The value under <paramref name="key"/>, if present.</summary>
    public bool TryGetValue(object key, out object? value) => _values.TryGetValue(key, out value);

    internal void Set(object key, object? value)
    {
        if (_values.TryAdd(key, value)) _order.Add(key);
        else _values[key] = value;
    }
}

/// <summary>A Python <c>list</c> (or a <c>set</c>, whose order is not meaningful) read from a pickle.</summary>
public sealed class PickleList : PickleContainer
{
    internal List<object?> Values { get; } = [];

    /// <summary>The items.</summary>
    public IReadOnlyList<object?> Items => Values;
}

/// <summary>A Python <c>tuple</c> read from a pickle.</summary>
public sealed class PickleTuple(IReadOnlyList<object?> items) : PickleContainer
{
    /// <summary>The items.</summary>
    public IReadOnlyList<object?> Items { get; } = items;
}

/// <summary>
/// An instance of an allow-listed class (such as <c>torch.nn.ParameterDict</c>), created empty by the pickle and given
/// its attributes as <see cref="State"/> (usually a <see cref="PickleDict"/> of attribute names). Nothing is run.
/// </summary>
public sealed class PickleObject(PickleGlobal type) : PickleContainer
{
    /// <summary>The class.</summary>
    public PickleGlobal Type { get; } = type;

    /// <summary>The attributes BUILD gave the instance, or null.</summary>
    public object? State { get; internal set; }
}

/// <summary>An allow-listed Python global (a class or a rebuild function) that appears as a value.</summary>
public sealed class PickleGlobal(string module, string name)
{
    /// <summary>The module, as the pickle names it (e.g. <c>torch._utils</c>).</summary>
    public string Module { get; } = module;

    /// <summary>The name in the module (e.g. <c>_rebuild_tensor_v2</c>).</summary>
    public string Name { get; } = name;

    /// <summary><c>module.name</c>.</summary>
    public string FullName => $"{Module}.{Name}";

    public override string ToString() => FullName;
}

/// <summary>
/// A storage of a torch.save archive (the persistent id <c>('storage', torch.FloatStorage, key, location, numel)</c>):
/// <see cref="ElementCount"/> elements of <see cref="ElementType"/> in the archive entry <c>data/&lt;key&gt;</c>.
/// </summary>
public sealed class PickleStorage(string key, ScalarType elementType, int elementSize, long elementCount)
{
    /// <summary>The storage's record name under <c>data/</c>.</summary>
    public string Key { get; } = key;

    public ScalarType ElementType { get; } = elementType;

    /// <summary>Bytes per element.</summary>
    public int ElementSize { get; } = elementSize;

    public long ElementCount { get; } = elementCount;

    public long ByteLength => ElementCount * ElementSize;
}

/// <summary>
/// A tensor as torch.save describes it (<c>_rebuild_tensor_v2</c>): a strided view of a <see cref="PickleStorage"/>.
/// Its numbers are read only when <see cref="TorchPickleFile.Load(PickleTensor, string)"/> is asked for them; the view was
/// checked to lie inside its storage.
/// </summary>
public sealed class PickleTensor(PickleStorage storage, long storageOffset, long[] shape, long[] strides, bool isParameter)
{
    public PickleStorage Storage { get; } = storage;

    /// <summary>Elements of the storage before the first element of this tensor.</summary>
    public long StorageOffset { get; } = storageOffset;

    public IReadOnlyList<long> Shape { get; } = shape;

    /// <summary>Elements to step in the storage per index along each dimension.</summary>
    public IReadOnlyList<long> Strides { get; } = strides;

    /// <summary>True when it was saved as a <c>torch.nn.Parameter</c>.</summary>
    public bool IsParameter { get; } = isParameter;

    public ScalarType ElementType => Storage.ElementType;

    /// <summary>The shape as text, e.g. <c>[2, 768]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";

    internal PickleTensor AsParameter() => new(Storage, StorageOffset, [.. Shape], [.. Strides], isParameter: true);
}

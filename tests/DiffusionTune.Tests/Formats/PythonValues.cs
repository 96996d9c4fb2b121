using System.Collections;

namespace DiffusionTune.Tests.Formats;

/// <summary>
/// A Python <c>dict</c>, or with <see cref="Ordered"/> a <c>collections.OrderedDict</c>, for <see cref="TorchSaveWriter"/>;
/// entries keep their order. <see cref="State"/> is what BUILD gives it (a state_dict's <c>_metadata</c> attribute).
/// Python lists are written as <c>object?[]</c>.
/// </summary>
sealed class PyDict(bool ordered = false, PyDict? state = null) : IEnumerable<KeyValuePair<object, object?>>
{
    readonly List<KeyValuePair<object, object?>> _items = [];

    public bool Ordered => ordered;

    public PyDict? State => state;

    public int Count => _items.Count;

    public void Add(object key, object? value) => _items.Add(new(key, value));

    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A Python tuple.</summary>
sealed record PyTuple(params object?[] Items);

/// <summary>An instance of a Python class pickled as NEWOBJ + BUILD (how nn.Module subclasses such as ParameterDict pickle).</summary>
sealed record PyObject(string Module, string Name, PyDict State);

/// <summary>
/// A torch tensor: a strided view of its storage <see cref="Values"/> (tensors given the same array share a storage),
/// pickled as torch does with <c>_rebuild_tensor_v2</c>, or wrapped in <c>_rebuild_parameter</c> for an nn.Parameter.
/// </summary>
sealed record TorchTensor(float[] Values, long[] Shape)
{
    /// <summary>Strides in elements; contiguous when null.</summary>
    public long[]? Strides { get; init; }

    public long Offset { get; init; }

    public bool RequiresGrad { get; init; }

    public bool IsParameter { get; init; }

    /// <summary>FloatStorage or HalfStorage.</summary>
    public string StorageType { get; init; } = "FloatStorage";

    public long[] EffectiveStrides => Strides ?? Contiguous(Shape);

    static long[] Contiguous(long[] shape)
    {
        var strides = new long[shape.Length];
        long step = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = step;
            step *= shape[i];
        }
        return strides;
    }
}

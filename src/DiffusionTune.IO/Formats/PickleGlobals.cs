using static TorchSharp.torch;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// The Python globals a torch.save pickle may name, and what "calling" each builds. A pickle names a global to have
/// the unpickler import and call it, which is how pickles run code; here a name outside this list stops the read at
/// once, and the listed ones only build data: dicts, lists, tensor descriptions and empty allow-listed objects.
/// </summary>
internal static class PickleGlobals
{
    enum Role { OrderedDict, Set, RebuildTensorV2, RebuildTensor, RebuildParameter, RebuildParameterWithState, ParameterDict }

    static readonly Dictionary<string, Role> Roles = new(StringComparer.Ordinal)
    {
        ["collections.OrderedDict"] = Role.OrderedDict,
        // Protocol 2 names builtins by their Python 2 module.
        ["builtins.set"] = Role.Set,
        ["__builtin__.set"] = Role.Set,
        ["builtins.frozenset"] = Role.Set,
        ["__builtin__.frozenset"] = Role.Set,
        ["torch._utils._rebuild_tensor_v2"] = Role.RebuildTensorV2,
        ["torch._utils._rebuild_tensor"] = Role.RebuildTensor,
        ["torch._utils._rebuild_parameter"] = Role.RebuildParameter,
        ["torch._utils._rebuild_parameter_with_state"] = Role.RebuildParameterWithState,
        // Old textual-inversion files keep their vectors in a ParameterDict; it is rebuilt as an inert object.
        ["torch.nn.modules.container.ParameterDict"] = Role.ParameterDict,
    };

    static readonly Dictionary<string, (ScalarType Type, int Size)> StorageTypes = new(StringComparer.Ordinal)
    {
        ["DoubleStorage"] = (ScalarType.Float64, 8),
        ["FloatStorage"] = (ScalarType.Float32, 4),
        ["HalfStorage"] = (ScalarType.Float16, 2),
        ["BFloat16Storage"] = (ScalarType.BFloat16, 2),
        ["LongStorage"] = (ScalarType.Int64, 8),
        ["IntStorage"] = (ScalarType.Int32, 4),
        ["ShortStorage"] = (ScalarType.Int16, 2),
        ["CharStorage"] = (ScalarType.Int8, 1),
        ["ByteStorage"] = (ScalarType.Byte, 1),
        ["BoolStorage"] = (ScalarType.Bool, 1),
        ["UntypedStorage"] = (ScalarType.Byte, 1),
    };

    /// <summary>The global <paramref name="module"/>.<paramref name="name"/> as a value, or a refusal naming it.</summary>
    public static PickleGlobal Resolve(string module, string name, string path)
    {
        var global = new PickleGlobal(module, name);
        if (Roles.ContainsKey(global.FullName) || module == "torch" && StorageTypes.ContainsKey(name)) return global;
        throw new ModelFileException(path,
            $"refuses to load the Python global '{global.FullName}': only the data and tensor types torch.save writes for weights are allowed "
            + "(unpickling this file in Python would import and run it)");
    }

    /// <summary>The element type a storage class (<c>torch.FloatStorage</c>, …) stands for.</summary>
    public static bool TryGetStorageType(object? value, out ScalarType type, out int elementSize)
    {
        (type, elementSize) = (default, 0);
        if (value is not PickleGlobal { Module: "torch" } global || !StorageTypes.TryGetValue(global.Name, out var found)) return false;
        (type, elementSize) = found;
        return true;
    }

    /// <summary>REDUCE: what calling <paramref name="callable"/> with <paramref name="args"/> builds.</summary>
    public static object Call(object? callable, PickleTuple args, TorchPickleLimits limits, Func<string, ModelFileException> fail)
    {
        if (callable is not PickleGlobal global || !Roles.TryGetValue(global.FullName, out var role))
            throw fail($"REDUCE calls {Describe(callable)}, which is not a function it may call");
        var items = args.Items;
        switch (role)
        {
            case Role.OrderedDict when items.Count == 0:
                return new PickleDict();
            case Role.Set when items.Count == 0:
                return new PickleList();
            case Role.Set when items.Count == 1 && items[0] is PickleList or PickleTuple:
                var set = new PickleList { Depth = ((PickleContainer)items[0]!).Depth };
                set.Values.AddRange(items[0] is PickleList list ? list.Items : ((PickleTuple)items[0]!).Items);
                return set;
            case Role.RebuildTensorV2 when items.Count is 6 or 7:
                RequireBool(items[4], "requires_grad", fail);
                RequireHooks(items[5], fail);
                return Tensor(items, limits, fail);
            case Role.RebuildTensor when items.Count == 4:
                return Tensor(items, limits, fail);
            case Role.RebuildParameter when items.Count == 3:
            case Role.RebuildParameterWithState when items.Count == 4:
                if (items[0] is not PickleTensor data) throw fail($"{global.FullName} rebuilds {Describe(items[0])}, not a tensor");
                RequireBool(items[1], "requires_grad", fail);
                RequireHooks(items[2], fail);
                return data.AsParameter();
            default:
                throw fail($"{global.FullName} called with {items.Count} argument(s), which torch.save never writes");
        }
    }

    /// <summary>NEWOBJ: an empty instance of an allow-listed class.</summary>
    public static object Construct(object? type, PickleTuple args, Func<string, ModelFileException> fail)
    {
        if (type is PickleGlobal global && Roles.TryGetValue(global.FullName, out var role) && args.Items.Count == 0)
        {
            if (role == Role.ParameterDict) return new PickleObject(global);
            if (role == Role.OrderedDict) return new PickleDict();
        }
        throw fail($"NEWOBJ creates {Describe(type)} from {args.Items.Count} argument(s), which torch.save never writes");
    }

    static PickleTensor Tensor(IReadOnlyList<object?> items, TorchPickleLimits limits, Func<string, ModelFileException> fail)
    {
        if (items[0] is not PickleStorage storage) throw fail($"a tensor is rebuilt from {Describe(items[0])}, not a storage");
        if (items[1] is not long offset || offset < 0) throw fail($"a tensor has storage offset {Describe(items[1])}");
        var shape = Integers(items[2], "size", fail);
        var strides = Integers(items[3], "stride", fail);
        if (shape.Length != strides.Length) throw fail($"a tensor has {shape.Length} sizes but {strides.Length} strides");
        if (shape.Length > limits.MaxTensorDimensions) throw fail($"a tensor has {shape.Length} dimensions (at most {limits.MaxTensorDimensions} are accepted)");
        if (shape.Any(s => s < 0) || strides.Any(s => s < 0)) throw fail("a tensor has a negative size or stride");
        try
        {
            checked
            {
                long elements = shape.Aggregate(1L, (product, size) => product * size);
                if (elements * storage.ElementSize > limits.MaxTensorBytes)
                    throw fail($"a tensor of shape [{string.Join(", ", shape)}] would take more than {limits.MaxTensorBytes} bytes");
                if (elements > 0)
                {
                    long last = offset;
                    for (int i = 0; i < shape.Length; i++) last += (shape[i] - 1) * strides[i];
                    if (last >= storage.ElementCount)
                        throw fail($"a tensor of shape [{string.Join(", ", shape)}] reaches element {last} of storage '{storage.Key}', which has {storage.ElementCount}");
                }
            }
        }
        catch (OverflowException)
        {
            throw fail($"a tensor's shape [{string.Join(", ", shape)}] and strides overflow");
        }
        return new PickleTensor(storage, offset, shape, strides, isParameter: false);
    }

    static long[] Integers(object? value, string what, Func<string, ModelFileException> fail)
    {
        if (value is not PickleTuple tuple) throw fail($"a tensor's {what} is {Describe(value)}, not a tuple");
        var result = new long[tuple.Items.Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = tuple.Items[i] is long number ? number : throw fail($"a tensor's {what} holds {Describe(tuple.Items[i])}");
        return result;
    }

    static void RequireBool(object? value, string what, Func<string, ModelFileException> fail)
    {
        if (value is not bool) throw fail($"a tensor's {what} is {Describe(value)}, not a bool");
    }

    static void RequireHooks(object? value, Func<string, ModelFileException> fail)
    {
        if (value is not PickleDict) throw fail($"a tensor's backward hooks are {Describe(value)}, not an OrderedDict");
    }

    /// <summary>A short description of a value for messages (never its contents, which may be huge or nested).</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        string => "a str",
        long => "an int",
        double => "a float",
        bool => "a bool",
        byte[] => "bytes",
        PickleDict => "a dict",
        PickleList => "a list",
        PickleTuple tuple => $"a {tuple.Items.Count}-tuple",
        PickleObject obj => $"a {obj.Type.FullName} object",
        PickleGlobal global => $"'{global.FullName}'",
        PickleStorage => "a storage",
        PickleTensor => "a tensor",
        _ => value.GetType().Name,
    };
}

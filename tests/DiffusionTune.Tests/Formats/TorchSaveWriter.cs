using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace DiffusionTune.Tests.Formats;

/// <summary>
/// Writes files as PyTorch's <c>torch.save</c> does (PyTorch 1.6+): a ZIP archive, entries stored uncompressed under
/// one top folder, holding <c>data.pkl</c> (the object tree, pickle protocol 2, tensors as
/// <c>torch._utils._rebuild_tensor_v2</c> calls whose storages are persistent ids
/// <c>('storage', torch.FloatStorage, key, 'cpu', numel)</c>), one <c>data/&lt;key&gt;</c> record per storage,
/// <c>byteorder</c>, <c>version</c> and the bookkeeping records of recent versions. Values are
/// <see cref="PyDict"/>, <c>object?[]</c> (list), <see cref="PyTuple"/>, <see cref="PyObject"/>, <see cref="TorchTensor"/>,
/// strings, integers, floats, booleans and null.
/// </summary>
static class TorchSaveWriter
{
    public static string Save(string path, object? root)
    {
        var storages = new List<(string Key, byte[] Bytes)>();
        WriteArchive(path, Pickle(root, storages), storages);
        return path;
    }

    /// <summary>The pickle torch.save writes for <paramref name="root"/>; storages it references are added to <paramref name="storages"/>.</summary>
    public static byte[] Pickle(object? root, List<(string Key, byte[] Bytes)> storages)
    {
        var emitter = new Emitter(storages);
        emitter.Writer.Protocol();
        emitter.Emit(root);
        return emitter.Writer.Stop().ToArray();
    }

    /// <summary>A torch.save ZIP archive around <paramref name="pickle"/>, whatever it holds.</summary>
    public static void WriteArchive(string path, byte[] pickle, IEnumerable<(string Key, byte[] Bytes)> storages, string? archiveName = null)
    {
        archiveName ??= Path.GetFileNameWithoutExtension(path);
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        void Entry(string name, byte[] bytes)
        {
            using var stream = zip.CreateEntry($"{archiveName}/{name}", CompressionLevel.NoCompression).Open();
            stream.Write(bytes);
        }
        Entry("data.pkl", pickle);
        Entry(".format_version", "1"u8.ToArray());
        Entry(".storage_alignment", "64"u8.ToArray());
        Entry("byteorder", "little"u8.ToArray());
        foreach (var (key, bytes) in storages) Entry($"data/{key}", bytes);
        Entry("version", "3\n"u8.ToArray());
        Entry(".data/serialization_id", Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890"));
    }

    sealed class Emitter(List<(string Key, byte[] Bytes)> storages)
    {
        readonly Dictionary<float[], string> _keys = new(ReferenceEqualityComparer.Instance);

        public PickleWriter Writer { get; } = new();

        public void Emit(object? value)
        {
            switch (value)
            {
                case null: Writer.None(); break;
                case bool flag: Writer.Bool(flag); break;
                case int number: Writer.Int(number); break;
                case long number: Writer.Int(number); break;
                case double number: Writer.Float(number); break;
                case string text: Writer.Str(text); break;
                case PyDict dict: Dict(dict); break;
                case object?[] list: List(list); break;
                case PyTuple tuple: Tuple(tuple.Items); break;
                case PyObject obj:
                    Writer.Global(obj.Module, obj.Name).EmptyTuple().NewObj();
                    Emit(obj.State);
                    Writer.Build();
                    break;
                case TorchTensor { IsParameter: true } parameter:
                    Writer.Global("torch._utils", "_rebuild_parameter");
                    Tensor(parameter with { RequiresGrad = false });
                    Writer.Bool(parameter.RequiresGrad);
                    EmptyOrderedDict();
                    Writer.Tuple(3).Reduce();
                    break;
                case TorchTensor tensor: Tensor(tensor); break;
                default: throw new ArgumentException($"cannot pickle {value.GetType().Name}");
            }
        }

        void Dict(PyDict dict)
        {
            if (dict.Ordered) EmptyOrderedDict();
            else Writer.EmptyDict();
            if (dict.Count > 1) Writer.Mark();
            foreach (var (key, value) in dict)
            {
                Emit(key);
                Emit(value);
            }
            if (dict.Count == 1) Writer.SetItem();
            if (dict.Count > 1) Writer.SetItems();
            if (dict.State is not null)
            {
                Emit(dict.State);
                Writer.Build();
            }
        }

        void EmptyOrderedDict() => Writer.Global("collections", "OrderedDict").EmptyTuple().Reduce();

        void List(object?[] items)
        {
            Writer.EmptyList();
            if (items.Length > 1) Writer.Mark();
            foreach (var item in items) Emit(item);
            if (items.Length == 1) Writer.Append();
            if (items.Length > 1) Writer.Appends();
        }

        void Tuple(IReadOnlyList<object?> items)
        {
            if (items.Count > 3) Writer.Mark();
            foreach (var item in items) Emit(item);
            Writer.Tuple(items.Count);
        }

        void Tensor(TorchTensor tensor)
        {
            Writer.Global("torch._utils", "_rebuild_tensor_v2").Mark();
            Writer.Mark().Str("storage").Global("torch", tensor.StorageType).Str(StorageKey(tensor)).Str("cpu").Int(tensor.Values.Length).Tuple(5).PersistentId();
            Writer.Int(tensor.Offset);
            Tuple(tensor.Shape.Cast<object?>().ToArray());
            Tuple(tensor.EffectiveStrides.Cast<object?>().ToArray());
            Writer.Bool(tensor.RequiresGrad);
            EmptyOrderedDict();
            Writer.Tuple(6).Reduce();
        }

        string StorageKey(TorchTensor tensor)
        {
            if (_keys.TryGetValue(tensor.Values, out var key)) return key;
            key = _keys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _keys[tensor.Values] = key;
            var bytes = tensor.StorageType == "HalfStorage"
                ? MemoryMarshal.AsBytes(tensor.Values.Select(v => (Half)v).ToArray().AsSpan()).ToArray()
                : MemoryMarshal.AsBytes(tensor.Values.AsSpan()).ToArray();
            storages.Add((key, bytes));
            return key;
        }
    }
}

using System.Buffers.Binary;
using System.Text;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// A pickle reader for the data torch.save writes, and nothing more: it interprets the opcodes of protocols 2 to 5
/// that build plain values (None, bool, int up to 64 bits, float, str, bytes, list, tuple, dict), the memo, persistent
/// ids (tensor storages) and REDUCE/NEWOBJ/BUILD on the few globals <see cref="PickleGlobals"/> allows, which only build
/// data. It never imports or runs anything. Every count, length and depth is bounded (<see cref="TorchPickleLimits"/>),
/// the work done is linear in the pickle's size, and a container cannot be changed once it is inside another (as
/// Python's pickler never does), so the result has no reference cycles and its nesting is exactly as deep as measured.
/// Every problem is a <see cref="ModelFileException"/>.
/// </summary>
/// <remarks>Opcode meanings follow CPython's pickletools documentation (Lib/pickletools.py).</remarks>
internal sealed class RestrictedUnpickler
{
    const byte Mark = (byte)'(', Stop = (byte)'.', Pop = (byte)'0', PopMark = (byte)'1', Dup = (byte)'2';
    const byte BinInt = (byte)'J', BinInt1 = (byte)'K', BinInt2 = (byte)'M', Long1 = 0x8a, Long4 = 0x8b;
    const byte NoneValue = (byte)'N', NewTrue = 0x88, NewFalse = 0x89, BinFloat = (byte)'G';
    const byte BinUnicode = (byte)'X', ShortBinUnicode = 0x8c, BinUnicode8 = 0x8d, BinString = (byte)'T', ShortBinString = (byte)'U';
    const byte BinBytes = (byte)'B', ShortBinBytes = (byte)'C', BinBytes8 = 0x8e;
    const byte EmptyList = (byte)']', Append = (byte)'a', Appends = (byte)'e';
    const byte EmptyTuple = (byte)')', Tuple = (byte)'t', Tuple1 = 0x85, Tuple2 = 0x86, Tuple3 = 0x87;
    const byte EmptyDict = (byte)'}', SetItem = (byte)'s', SetItems = (byte)'u';
    const byte EmptySet = 0x8f, AddItems = 0x90;
    const byte BinPut = (byte)'q', LongBinPut = (byte)'r', Memoize = 0x94, BinGet = (byte)'h', LongBinGet = (byte)'j';
    const byte Global = (byte)'c', StackGlobal = 0x93, Reduce = (byte)'R', Build = (byte)'b', NewObj = 0x81;
    const byte BinPersId = (byte)'Q', Proto = 0x80, Frame = 0x95;
    const int MaxGlobalNameBytes = 256;

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    readonly byte[] _data;
    readonly string _path;
    readonly TorchPickleLimits _limits;
    readonly Func<PickleTuple, PickleStorage> _persistentLoad;
    readonly List<object?> _stack = [];
    readonly List<int> _marks = [];
    readonly Dictionary<long, object?> _memo = [];
    int _position, _opcodeStart, _objects;

    RestrictedUnpickler(byte[] data, string path, TorchPickleLimits limits, Func<PickleTuple, PickleStorage> persistentLoad)
    {
        _data = data;
        _path = path;
        _limits = limits;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Reads the pickle in <paramref name="data"/>; <paramref name="persistentLoad"/> resolves storage ids.</summary>
    /// <param name="path">The file named in error messages.</param>
    public static object? Load(byte[] data, string path, TorchPickleLimits limits, Func<PickleTuple, PickleStorage> persistentLoad) =>
        new RestrictedUnpickler(data, path, limits, persistentLoad).Run();

    ModelFileException Fail(string problem) => new(_path, $"{problem} (pickle byte {_opcodeStart})");

    object? Run()
    {
        while (true)
        {
            _opcodeStart = _position;
            byte opcode = ReadByte();
            switch (opcode)
            {
                case Stop:
                    return PopValue();
                case Proto:
                    if (ReadByte() is < 2 or > 5) throw Fail("unsupported pickle protocol (torch.save writes 2 to 5)");
                    break;
                case Frame:
                    // Frames only group opcodes for buffered reading; the whole pickle is in memory already.
                    if (ReadUInt64() > (ulong)(_data.Length - _position)) throw Fail("a frame runs past the end of the pickle");
                    break;
                case Mark:
                    // Each container being filled opens at most one MARK for its items and one for a tuple inside it.
                    if (_marks.Count >= 2 * _limits.MaxNesting) throw Fail($"MARKs nest more than {2 * _limits.MaxNesting} deep");
                    _marks.Add(_stack.Count);
                    break;
                case Pop:
                    PopValue();
                    break;
                case PopMark:
                    PopToMark();
                    break;
                case Dup:
                    Push(PeekValue());
                    break;
                case BinInt:
                    PushNew((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4)));
                    break;
                case BinInt1:
                    PushNew((long)ReadByte());
                    break;
                case BinInt2:
                    PushNew((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2)));
                    break;
                case Long1:
                    PushNew(LittleEndianInteger(Read(ReadByte())));
                    break;
                case Long4:
                    PushNew(LittleEndianInteger(Read(ReadLength(4))));
                    break;
                case NoneValue:
                    PushNew(null);
                    break;
                case NewTrue:
                    PushNew(true);
                    break;
                case NewFalse:
                    PushNew(false);
                    break;
                case BinFloat:
                    PushNew(BinaryPrimitives.ReadDoubleBigEndian(Read(8)));
                    break;
                case BinUnicode:
                case BinString:
                    PushNew(Text(Read(ReadLength(4))));
                    break;
                case ShortBinUnicode:
                case ShortBinString:
                    PushNew(Text(Read(ReadByte())));
                    break;
                case BinUnicode8:
                    PushNew(Text(Read(ReadLength(8))));
                    break;
                case BinBytes:
                    PushNew(Read(ReadLength(4)).ToArray());
                    break;
                case ShortBinBytes:
                    PushNew(Read(ReadByte()).ToArray());
                    break;
                case BinBytes8:
                    PushNew(Read(ReadLength(8)).ToArray());
                    break;
                case EmptyList:
                    PushNew(new PickleList());
                    break;
                case EmptySet:
                    PushNew(new PickleList());
                    break;
                case Append:
                {
                    var item = PopValue();
                    AddToList(PeekValue(), [item]);
                    break;
                }
                case Appends:
                case AddItems:
                {
                    var items = PopToMark();
                    AddToList(PeekValue(), items);
                    break;
                }
                case EmptyTuple:
                    PushNew(NewTuple([]));
                    break;
                case Tuple:
                    PushNew(NewTuple(PopToMark()));
                    break;
                case Tuple1:
                    PushNew(NewTuple(PopValues(1)));
                    break;
                case Tuple2:
                    PushNew(NewTuple(PopValues(2)));
                    break;
                case Tuple3:
                    PushNew(NewTuple(PopValues(3)));
                    break;
                case EmptyDict:
                    PushNew(new PickleDict());
                    break;
                case SetItem:
                    SetItemsOn(PopValues(2));
                    break;
                case SetItems:
                    SetItemsOn(PopToMark());
                    break;
                case BinPut:
                    Remember(ReadByte());
                    break;
                case LongBinPut:
                    Remember(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)));
                    break;
                case Memoize:
                    Remember(_memo.Count);
                    break;
                case BinGet:
                    Push(Recall(ReadByte()));
                    break;
                case LongBinGet:
                    Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))));
                    break;
                case Global:
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    PushNew(PickleGlobals.Resolve(module, name, _path));
                    break;
                }
                case StackGlobal:
                {
                    var names = PopValues(2);
                    if (names[0] is not string module || names[1] is not string name) throw Fail("STACK_GLOBAL needs two strings");
                    PushNew(PickleGlobals.Resolve(module, name, _path));
                    break;
                }
                case Reduce:
                {
                    var callAndArgs = PopValues(2);
                    var result = PickleGlobals.Call(callAndArgs[0], Arguments(callAndArgs[1], "REDUCE"), _limits, Fail);
                    // set(items) copies its argument's items, which count like any other insertion.
                    if (result is PickleList set) Charge(set.Items.Count);
                    PushNew(result);
                    break;
                }
                case NewObj:
                {
                    var typeAndArgs = PopValues(2);
                    PushNew(PickleGlobals.Construct(typeAndArgs[0], Arguments(typeAndArgs[1], "NEWOBJ"), Fail));
                    break;
                }
                case Build:
                    BuildOn(PeekBelowTop(), PopValue());
                    break;
                case BinPersId:
                {
                    if (PopValue() is not PickleTuple id) throw Fail("a persistent id that is not a tuple");
                    PushNew(_persistentLoad(id));
                    break;
                }
                default:
                    throw Fail($"opcode 0x{opcode:x2} is not one torch.save writes");
            }
        }
    }

    byte ReadByte() => _position < _data.Length ? _data[_position++] : throw Fail("the pickle ends before its STOP opcode");

    ReadOnlySpan<byte> Read(int count)
    {
        if (count > _data.Length - _position) throw Fail("the pickle ends inside an opcode's argument");
        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Read(8));

    /// <summary>A length prefix of 4 or 8 bytes, checked against what is left (so nothing larger is ever allocated).</summary>
    int ReadLength(int bytes)
    {
        ulong length = bytes == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Read(4)) : ReadUInt64();
        return length <= (ulong)(_data.Length - _position) ? (int)length : throw Fail($"a length of {length} runs past the end of the pickle");
    }

    string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _position, Math.Min(MaxGlobalNameBytes, _data.Length - _position));
        if (end < 0) throw Fail("GLOBAL's module or name is not a short line of text");
        var text = Text(_data.AsSpan(_position, end - _position));
        _position = end + 1;
        return text;
    }

    string Text(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail("a string is not valid UTF-8");
        }
    }

    long LittleEndianInteger(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 8) throw Fail($"an integer of {bytes.Length} bytes (more than 64 bits)");
        if (bytes.Length == 0) return 0;
        long value = (sbyte)bytes[^1];
        for (int i = bytes.Length - 2; i >= 0; i--) value = (value << 8) | bytes[i];
        return value;
    }

    void Push(object? value)
    {
        if (_stack.Count >= _limits.MaxObjects) throw Fail($"the pickle's stack grows past {_limits.MaxObjects} values");
        _stack.Add(value);
    }

    void PushNew(object? value)
    {
        Charge(1);
        Push(value);
    }

    /// <summary>
    /// Counts values created or stored in containers against <see cref="TorchPickleLimits.MaxObjects"/>: a memo
    /// reference costs two bytes, so without counting insertions a small pickle could fill huge containers.
    /// </summary>
    void Charge(int count)
    {
        _objects += count;
        if (_objects > _limits.MaxObjects) throw Fail($"the pickle creates more than {_limits.MaxObjects} values");
    }

    int Floor => _marks.Count > 0 ? _marks[^1] : 0;

    object? PopValue()
    {
        if (_stack.Count <= Floor) throw Fail("the pickle pops a value it never pushed");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    object? PeekValue() => _stack.Count > Floor ? _stack[^1] : throw Fail("the pickle uses a value it never pushed");

    object? PeekBelowTop() => _stack.Count - 1 > Floor ? _stack[^2] : throw Fail("BUILD without an object to build");

    object?[] PopValues(int count)
    {
        if (_stack.Count - Floor < count) throw Fail("the pickle pops values it never pushed");
        var values = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return values;
    }

    object?[] PopToMark()
    {
        if (_marks.Count == 0) throw Fail("an opcode needs a MARK that is not there");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var values = _stack.GetRange(mark, _stack.Count - mark).ToArray();
        _stack.RemoveRange(mark, _stack.Count - mark);
        return values;
    }

    void Remember(long index)
    {
        if (!_memo.ContainsKey(index) && _memo.Count >= _limits.MaxMemoEntries) throw Fail($"the pickle memoizes more than {_limits.MaxMemoEntries} values");
        _memo[index] = PeekValue();
    }

    object? Recall(long index) => _memo.TryGetValue(index, out var value) ? value : throw Fail($"memo entry {index} is used but was never stored");

    PickleTuple Arguments(object? value, string opcode) =>
        value as PickleTuple ?? throw Fail($"{opcode} arguments are {PickleGlobals.Describe(value)}, not a tuple");

    PickleTuple NewTuple(object?[] items)
    {
        Charge(items.Length);
        var tuple = new PickleTuple(items);
        foreach (var item in items) Nest(tuple, item);
        return tuple;
    }

    void AddToList(object? target, object?[] items)
    {
        if (target is not PickleList list) throw Fail($"APPEND to {PickleGlobals.Describe(target)}");
        Charge(items.Length);
        foreach (var item in items)
        {
            Nest(list, item);
            list.Values.Add(item);
        }
    }

    void SetItemsOn(object?[] keysAndValues)
    {
        if (keysAndValues.Length % 2 != 0) throw Fail("SETITEMS with a key that has no value");
        if (PeekValue() is not PickleDict dict) throw Fail($"SETITEM on {PickleGlobals.Describe(PeekValue())}");
        Charge(keysAndValues.Length / 2);
        for (int i = 0; i < keysAndValues.Length; i += 2)
        {
            var key = keysAndValues[i];
            if (key is string text && text.Length > _limits.MaxKeyLength) throw Fail($"a dict key of {text.Length} characters (at most {_limits.MaxKeyLength})");
            if (key is not (string or long or double or bool)) throw Fail($"a dict key that is {PickleGlobals.Describe(key)} (only str, int, float and bool keys are accepted)");
            Nest(dict, keysAndValues[i + 1]);
            dict.Set(key, keysAndValues[i + 1]);
        }
    }

    void BuildOn(object? target, object? state)
    {
        switch (target)
        {
            case PickleObject { State: null } instance:
                Nest(instance, state);
                instance.State = state;
                break;
            case PickleDict when state is PickleDict:
                // A state_dict's OrderedDict carries a _metadata attribute (module versions): nothing to keep.
                break;
            default:
                throw Fail($"BUILD sets the state of {PickleGlobals.Describe(target)}, which torch.save never writes");
        }
    }

    /// <summary>
    /// Records that <paramref name="child"/> now sits inside <paramref name="parent"/>, refusing deep nesting and
    /// additions to a container that is already inside another (see <see cref="PickleContainer.IsSealed"/>).
    /// </summary>
    void Nest(PickleContainer parent, object? child)
    {
        if (parent.IsSealed) throw Fail($"the pickle adds to {PickleGlobals.Describe(parent)} after storing it in another container, which torch.save never does");
        if (child is not PickleContainer container) return;
        if (ReferenceEquals(container, parent)) throw Fail("a container that contains itself");
        int depth = container.Depth + 1;
        if (depth > _limits.MaxNesting) throw Fail($"containers nest more than {_limits.MaxNesting} deep");
        if (depth > parent.Depth) parent.Depth = depth;
        container.IsSealed = true;
    }
}

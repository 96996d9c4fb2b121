using System.Buffers.Binary;
using System.Text;

namespace DiffusionTune.Tests.Formats;

/// <summary>
/// Emits pickle opcodes the way CPython's pickler writes protocol 2: strings, globals, containers and reduce results
/// are memoized (BINPUT) and written again as BINGET, small ints use BININT1/BININT2, tuples of up to three items
/// TUPLE1-3. Tests build torch.save pickles with it (<see cref="TorchSaveWriter"/>) and hostile ones opcode by opcode.
/// </summary>
sealed class PickleWriter
{
    readonly List<byte> _bytes = [];
    readonly Dictionary<string, int> _memoized = new(StringComparer.Ordinal);
    int _nextMemo;

    public byte[] ToArray() => [.. _bytes];

    public PickleWriter Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public PickleWriter Protocol(byte version = 2) => Raw(0x80, version);

    public PickleWriter Stop() => Raw((byte)'.');

    public PickleWriter Mark() => Raw((byte)'(');

    /// <summary>Stores the top of the stack in the next memo slot, as the pickler does after creating a value.</summary>
    public PickleWriter Memoize()
    {
        int slot = _nextMemo++;
        return slot < 256 ? Raw((byte)'q', (byte)slot) : Raw([(byte)'r', .. UInt32(slot)]);
    }

    public PickleWriter Get(int slot) => slot < 256 ? Raw((byte)'h', (byte)slot) : Raw([(byte)'j', .. UInt32(slot)]);

    public PickleWriter None() => Raw((byte)'N');

    public PickleWriter Bool(bool value) => Raw(value ? (byte)0x88 : (byte)0x89);

    public PickleWriter Int(long value)
    {
        if (value is >= 0 and <= 0xff) return Raw((byte)'K', (byte)value);
        if (value is >= 0 and <= 0xffff) return Raw([(byte)'M', .. BitConverter.GetBytes((ushort)value)]);
        if (value is >= int.MinValue and <= int.MaxValue) return Raw([(byte)'J', .. BitConverter.GetBytes((int)value)]);
        return Raw([0x8a, 8, .. BitConverter.GetBytes(value)]);
    }

    public PickleWriter Float(double value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(bytes, value);
        return Raw([(byte)'G', .. bytes]);
    }

    /// <summary>BINUNICODE, memoized; the same text again is a BINGET (CPython shares equal interned strings).</summary>
    public PickleWriter Str(string text)
    {
        if (_memoized.TryGetValue("s:" + text, out int slot)) return Get(slot);
        var bytes = Encoding.UTF8.GetBytes(text);
        Raw([(byte)'X', .. UInt32(bytes.Length), .. bytes]);
        _memoized["s:" + text] = _nextMemo;
        return Memoize();
    }

    /// <summary>GLOBAL module name, memoized like the pickler's save_global.</summary>
    public PickleWriter Global(string module, string name)
    {
        if (_memoized.TryGetValue("g:" + module + "." + name, out int slot)) return Get(slot);
        Raw([(byte)'c', .. Encoding.ASCII.GetBytes($"{module}\n{name}\n")]);
        _memoized["g:" + module + "." + name] = _nextMemo;
        return Memoize();
    }

    /// <summary>Protocol 4's STACK_GLOBAL: module and name as strings on the stack.</summary>
    public PickleWriter StackGlobal(string module, string name) => Str(module).Str(name).Raw(0x93);

    public PickleWriter EmptyDict() => Raw((byte)'}').Memoize();

    public PickleWriter EmptyList() => Raw((byte)']').Memoize();

    public PickleWriter EmptyTuple() => Raw((byte)')');

    /// <summary>Closes a tuple of <paramref name="count"/> items already written (after a MARK when more than three).</summary>
    public PickleWriter Tuple(int count)
    {
        if (count == 0) return EmptyTuple();
        Raw(count switch { 1 => 0x85, 2 => 0x86, 3 => 0x87, _ => (byte)'t' });
        return Memoize();
    }

    public PickleWriter SetItem() => Raw((byte)'s');

    public PickleWriter SetItems() => Raw((byte)'u');

    public PickleWriter Append() => Raw((byte)'a');

    public PickleWriter Appends() => Raw((byte)'e');

    public PickleWriter Reduce() => Raw((byte)'R').Memoize();

    public PickleWriter NewObj() => Raw(0x81).Memoize();

    public PickleWriter Build() => Raw((byte)'b');

    public PickleWriter PersistentId() => Raw((byte)'Q');

    static byte[] UInt32(int value) => BitConverter.GetBytes((uint)value);
}

using System.Buffers.Binary;
using System.Text;

namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>One symbol version a shared library needs from another (an ELF Vernaux entry).</summary>
/// <param name="Library">The library it is needed from, e.g. libstdc++.so.6.</param>
/// <param name="Version">The version name, e.g. GLIBCXX_3.4.32.</param>
/// <param name="Weak">VER_FLG_WEAK: the dynamic linker accepts the library without that version.</param>
public sealed record ElfVersionNeed(string Library, string Version, bool Weak);

/// <summary>
/// Reads the symbol-version needs (the .gnu.version_r section) of a 64-bit little-endian ELF shared library, to
/// check what build/TorchSharpLinuxCompat.targets did to the output copy of libLibTorchSharp.so.
/// </summary>
public static class ElfVersionNeeds
{
    const uint VersionNeedsSection = 0x6ffffffe;
    const ushort WeakFlag = 0x2;

    public static IReadOnlyList<ElfVersionNeed> Read(string path)
    {
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
    }

    /// <summary>The version needs in <paramref name="elf"/>, the bytes of a whole file.</summary>
    public static IReadOnlyList<ElfVersionNeed> Parse(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || !elf[..4].SequenceEqual("\u007fELF"u8))
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        try
        {
            var needs = new List<ElfVersionNeed>();
            int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
            for (int index = 0; index < sectionCount; index++)
            {
                var header = SectionHeader(elf, index);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == VersionNeedsSection) ReadSection(elf, header, needs);
            }
            return needs;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException("truncated or malformed ELF file");
        }
    }

    static ReadOnlySpan<byte> SectionHeader(ReadOnlySpan<byte> elf, int index)
    {
        long table = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        int size = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        return elf.Slice(checked((int)(table + (long)index * size)), 64);
    }

    static int Offset(ReadOnlySpan<byte> header) => checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..]));

    /// <summary>A .gnu.version_r section: Verneed entries (one per library), each with its Vernaux entries (one per version).</summary>
    static void ReadSection(ReadOnlySpan<byte> elf, ReadOnlySpan<byte> header, List<ElfVersionNeed> needs)
    {
        var strings = elf[Offset(SectionHeader(elf, (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..])))..];
        int entries = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x2C..]);
        int need = Offset(header);
        for (int entry = 0; entry < entries; entry++)
        {
            // Verneed: version, Vernaux count, library name, offset of its first Vernaux, offset of the next Verneed.
            var verneed = elf.Slice(need, 16);
            string library = Name(strings, BinaryPrimitives.ReadUInt32LittleEndian(verneed[4..]));
            int aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(verneed[8..]);
            for (int version = 0; version < BinaryPrimitives.ReadUInt16LittleEndian(verneed[2..]); version++)
            {
                // Vernaux: hash, flags, other, version name, offset of the next Vernaux.
                var vernaux = elf.Slice(aux, 16);
                bool weak = (BinaryPrimitives.ReadUInt16LittleEndian(vernaux[4..]) & WeakFlag) != 0;
                needs.Add(new ElfVersionNeed(library, Name(strings, BinaryPrimitives.ReadUInt32LittleEndian(vernaux[8..])), weak));
                aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(vernaux[12..]);
            }
            need += (int)BinaryPrimitives.ReadUInt32LittleEndian(verneed[12..]);
        }
    }

    static string Name(ReadOnlySpan<byte> strings, uint offset)
    {
        var rest = strings[checked((int)offset)..];
        int end = rest.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException("unterminated name in the string table");
        return Encoding.ASCII.GetString(rest[..end]);
    }
}

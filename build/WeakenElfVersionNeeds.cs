// MSBuild inline task (compiled by RoslynCodeTaskFactory): marks chosen symbol-version needs of
// ELF64 little-endian shared libraries as weak (VER_FLG_WEAK), so the dynamic linker loads the
// library even where that version is missing. See TorchSharpLinuxCompat.targets for why.
using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenElfVersionNeeds : Task
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;

    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Semicolon-separated version names, e.g. GLIBCXX_3.4.32.</summary>
    [Required] public string Versions { get; set; } = "";

    public override bool Execute()
    {
        var versions = Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim()).ToArray();
        foreach (var item in Files)
        {
            var path = item.GetMetadata("FullPath");
            try
            {
                var bytes = File.ReadAllBytes(path);
                var changed = Weaken(bytes, versions, path);
                if (changed.Length == 0) continue;
                var temp = path + ".weakening.tmp";
                File.WriteAllBytes(temp, bytes);
                File.Replace(temp, path, null);
                Log.LogMessage(MessageImportance.Normal, $"{path}: marked {string.Join(", ", changed)} as weak version needs");
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Log.LogError($"{path}: could not patch ELF version needs: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    static string[] Weaken(byte[] elf, string[] versions, string path)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF is supported");

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        var changed = new System.Collections.Generic.List<string>();
        for (int i = 0; i < shnum; i++)
        {
            int sh = Checked(shoff + (ulong)(i * shentsize), 64, elf.Length);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int offset = Checked(BitConverter.ToUInt64(elf, sh + 0x18), 0, elf.Length);
            int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int count = (int)BitConverter.ToUInt32(elf, sh + 0x2C);
            int strtab = Checked(BitConverter.ToUInt64(elf, Checked(shoff + (ulong)(link * shentsize), 64, elf.Length) + 0x18), 0, elf.Length);

            int verneed = offset;
            for (int n = 0; n < count; n++)
            {
                Checked((ulong)verneed, 16, elf.Length);
                int auxCount = BitConverter.ToUInt16(elf, verneed + 2);
                int aux = verneed + (int)BitConverter.ToUInt32(elf, verneed + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    Checked((ulong)aux, 16, elf.Length);
                    string name = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8));
                    ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                    if (Array.IndexOf(versions, name) >= 0 && (flags & VerFlagWeak) == 0)
                    {
                        BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, aux + 4);
                        changed.Add(name);
                    }
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                verneed += (int)BitConverter.ToUInt32(elf, verneed + 12);
            }
        }
        return changed.ToArray();
    }

    static int Checked(ulong offset, int size, int length)
    {
        if (offset + (ulong)size > (ulong)length)
            throw new InvalidDataException($"offset {offset} runs past the end of the file");
        return (int)offset;
    }

    static string ReadString(byte[] bytes, int start)
    {
        int end = Array.IndexOf(bytes, (byte)0, start);
        if (end < 0) throw new InvalidDataException("unterminated string in .dynstr");
        return Encoding.ASCII.GetString(bytes, start, end - start);
    }
}

using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Safetensors;

public class AtomicWriteTests
{
    [Fact]
    public void A_write_that_fails_midway_leaves_neither_the_file_nor_a_temp_file()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("model.safetensors");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new IOException("disk full");
        }));

        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_failed_rewrite_keeps_the_previous_file_intact()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("model.safetensors");
        using var scope = NewDisposeScope();
        SafetensorsWriter.Save(path, [new("w", ones(4, ScalarType.Float32))]);
        var before = File.ReadAllBytes(path);

        // A complex tensor has no safetensors dtype: the save fails after other tensors were accepted.
        Assert.Throws<NotSupportedException>(() =>
            SafetensorsWriter.Save(path, [new("w", zeros(4, ScalarType.Float32)), new("z", zeros(2, ScalarType.ComplexFloat32))]));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100]);
            throw new InvalidOperationException("interrupted");
        }));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Without_overwrite_an_existing_file_is_refused_and_kept()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("image.png");
        File.WriteAllText(path, "original");

        var error = Assert.Throws<IOException>(() => AtomicFile.WriteAllBytes(path, "replacement"u8, overwrite: false));

        Assert.Contains(path, error.Message);
        Assert.Equal("original", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
    }
}

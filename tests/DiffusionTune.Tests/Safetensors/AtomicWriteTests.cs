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

        var error = Assert.Throws<FileAccessException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new IOException("disk full");
        }));

        Assert.Equal($"could not write {path}: disk full", error.Message);
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

        var error = Assert.Throws<FileAccessException>(() => AtomicFile.WriteAllBytes(path, "replacement"u8, overwrite: false));

        Assert.Equal($"could not write {path}: it already exists (nothing was overwritten)", error.Message);
        Assert.Equal("original", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
    }

    [FullDeviceFact]
    public void A_full_disk_is_one_error_naming_the_file_not_its_temporary_and_leaves_nothing()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("00003-7.png");

        var error = Assert.Throws<FileAccessException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100]);
            FullDevice.Write(new byte[4096]);
        }));

        Assert.Equal($"could not write {path}: {FullDevice.Problem}", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_refused_access_names_the_file()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("report.json");

        // What .NET throws for EACCES (a read-only folder), which root never meets on a real one.
        var error = Assert.Throws<FileAccessException>(() => AtomicFile.Write(path, _ =>
            throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.")));

        Assert.Equal($"could not write {path}: permission denied", error.Message);
    }

    [Fact]
    public void Of_writers_racing_to_one_new_file_exactly_one_wins_and_the_others_are_refused_without_touching_its_file()
    {
        const int Writers = 4, Rounds = 100;
        using var folder = new ScratchFolder();
        for (int round = 0; round < Rounds; round++)
        {
            var path = folder.File($"merged-{round}.safetensors");
            static byte[] Content(int writer) => System.Text.Encoding.UTF8.GetBytes($"writer {writer}");

            var outcomes = RacingWriters.Run(Writers, (writer, written) => AtomicFile.Write(path, stream =>
            {
                stream.Write(Content(writer));
                written();
            }, overwrite: false));

            int winner = Assert.Single(Enumerable.Range(0, Writers), writer => outcomes[writer] is null);
            Assert.Equal(Content(winner), File.ReadAllBytes(path));
            foreach (var refusal in outcomes.Where(outcome => outcome is not null))
                Assert.Equal($"could not write {path}: it already exists (nothing was overwritten)", Assert.IsType<FileAccessException>(refusal).Message);
        }
        Assert.Equal(Rounds, Directory.GetFileSystemEntries(folder.Path).Length);
    }
}

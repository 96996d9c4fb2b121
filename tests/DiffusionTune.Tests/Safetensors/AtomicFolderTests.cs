using DiffusionTune.IO;

namespace DiffusionTune.Tests.Safetensors;

public class AtomicFolderTests
{
    [FullDeviceFact]
    public void A_folder_whose_writing_fails_leaves_nothing_so_the_retry_is_not_refused()
    {
        using var parent = new ScratchFolder();
        var path = Path.Combine(parent.Path, "merged");

        var error = Assert.Throws<FileAccessException>(() => AtomicFolder.Create(path, folder =>
        {
            AtomicFile.WriteAllText(Path.Combine(folder, "model_index.json"), "{}");
            AtomicFile.Write(Path.Combine(folder, "unet", "diffusion_pytorch_model.safetensors"), _ => FullDevice.Write(new byte[4096]));
        }));

        // Named under its final name: the temporary folder means nothing to the user, and is gone.
        Assert.Equal($"could not write {Path.Combine(path, "unet", "diffusion_pytorch_model.safetensors")}: {FullDevice.Problem}", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(parent.Path));

        AtomicFolder.Create(path, folder => AtomicFile.WriteAllText(Path.Combine(folder, "model_index.json"), "{}"));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(path, "model_index.json")));
        Assert.Equal([path], Directory.GetFileSystemEntries(parent.Path));
    }

    [Fact]
    public void An_existing_folder_is_refused_before_anything_is_written()
    {
        using var parent = new ScratchFolder();
        bool built = false;

        var error = Assert.Throws<FileAccessException>(() => AtomicFolder.Create(parent.Path, _ => built = true));

        Assert.Equal($"could not write {parent.Path}: it already exists (nothing was overwritten)", error.Message);
        Assert.False(built);
    }

    [Fact]
    public void Of_writers_racing_to_one_new_folder_exactly_one_wins_and_the_others_leave_its_files_alone()
    {
        const int Writers = 4, Rounds = 10;
        using var parent = new ScratchFolder();
        for (int round = 0; round < Rounds; round++)
        {
            var path = Path.Combine(parent.Path, $"merged-{round}");

            var outcomes = RacingWriters.Run(Writers, (writer, written) => AtomicFolder.Create(path, folder =>
            {
                AtomicFile.WriteAllText(Path.Combine(folder, "writer.txt"), writer.ToString());
                written();
            }));

            int winner = Assert.Single(Enumerable.Range(0, Writers), writer => outcomes[writer] is null);
            Assert.Equal([Path.Combine(path, "writer.txt")], Directory.GetFileSystemEntries(path));
            Assert.Equal(winner.ToString(), File.ReadAllText(Path.Combine(path, "writer.txt")));
            foreach (var refusal in outcomes.Where(outcome => outcome is not null))
                Assert.Equal($"could not write {path}: it already exists (nothing was overwritten)", Assert.IsType<FileAccessException>(refusal).Message);
        }
        Assert.Equal(Rounds, Directory.GetFileSystemEntries(parent.Path).Length);
    }
}

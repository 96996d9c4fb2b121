using DiffusionTune.IO;
using DiffusionTune.Training.Checkpoints;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Logging;

namespace DiffusionTune.Tests.Training;

/// <summary>A run folder belongs to one process at a time, and what a killed run left half written is removed, nothing else.</summary>
public class RunFolderTests
{
    static TrainJob Job(string root) => new()
    {
        Trainer = "lora",
        Model = Path.Combine(root, "model"),
        Images = Path.Combine(root, "images"),
        OutputFolder = Path.Combine(root, "out"),
        OutputName = "star",
        RunFolder = Path.Combine(root, "out", "star-run"),
    };

    static string File(string path, int bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, new byte[bytes]);
        return path;
    }

    /// <summary>A temporary, named as the writers name them, of <paramref name="finalName"/> in <paramref name="folder"/>.</summary>
    static string Temporary(string folder, string finalName) => Path.Combine(folder, TemporaryName.For(finalName));

    [Fact]
    public void The_temporary_name_is_the_hidden_final_name_with_a_unique_suffix()
    {
        Assert.Matches(@"^\.step-000500\.[0-9a-f]{32}\.tmp$", TemporaryName.For("step-000500"));
        Assert.NotEqual(TemporaryName.For("a.png"), TemporaryName.For("a.png"));
        Assert.Equal("star-step000500.safetensors", TemporaryName.FinalNameOf(".star-step000500.safetensors.0123456789abcdef0123456789abcdef.tmp"));
        foreach (var other in new[] { "star.safetensors", ".star.safetensors.tmp", ".star.safetensors.0123456789ABCDEF0123456789ABCDEF.tmp", ".star.safetensors.0123.tmp", "step-000500" })
            Assert.Null(TemporaryName.FinalNameOf(other));
    }

    [Fact]
    public void A_killed_runs_temporaries_are_removed_and_nothing_else()
    {
        using var root = new ScratchFolder();
        var job = Job(root.Path);
        var checkpoints = new RunCheckpoints(job.RunFolder).Folder;
        var ours = new[]
        {
            File(Path.Combine(Temporary(checkpoints, "step-000500"), "trainable.safetensors"), 1000),
            File(Temporary(TrainingLog.FolderOf(job.RunFolder), "scalars.jsonl"), 10),
            File(Temporary(TrainingEngine.LatentFolderOf(job.RunFolder), "latents-0123456789abcdef.safetensors"), 20),
            File(Temporary(TrainerRun.SampleFolderOf(job.RunFolder), "star-step000500.png"), 30),
            File(Temporary(job.OutputFolder, "star-step000500.safetensors"), 400),
            File(Temporary(job.OutputFolder, "star.safetensors"), 500),
            File(Temporary(Path.Combine(job.OutputFolder, "star-step000500", "unet"), "diffusion_pytorch_model.safetensors"), 600),
        };
        var others = new[]
        {
            File(Path.Combine(checkpoints, "step-000250", "trainable.safetensors"), 7),
            File(Path.Combine(checkpoints, ".step-000500.tmp", "trainable.safetensors"), 7),
            File(Temporary(checkpoints, "notes.txt"), 7),
            // The run folder itself may be one a user pointed at something shared; only the folders the run writes are searched.
            File(Temporary(job.RunFolder, "notes.txt"), 7),
            // Other runs' results in the shared output folder, and what is not a temporary.
            File(Temporary(job.OutputFolder, "moon-step000500.safetensors"), 7),
            File(Temporary(job.OutputFolder, "star.v2.safetensors"), 7),
            File(Temporary(Path.Combine(job.OutputFolder, "moon-step000500", "unet"), "diffusion_pytorch_model.safetensors"), 7),
            File(Path.Combine(job.OutputFolder, "star-step000250.safetensors"), 7),
            // Another folder altogether.
            File(Temporary(Path.Combine(root.Path, "elsewhere"), "star.safetensors"), 7),
        };

        var removed = RunLeftovers.Remove(job);

        Assert.Equal(new RemovedTemporaries(ours.Length, 2560), removed);
        Assert.Equal("7 temporary file(s) or folder(s) (0.0 MB)", removed.ToString());
        Assert.All(ours, path => Assert.False(Path.Exists(path), $"{path} was left"));
        Assert.False(Path.Exists(Path.GetDirectoryName(ours[0])), "the checkpoint's temporary folder was left");
        Assert.All(others, path => Assert.True(System.IO.File.Exists(path), $"{path} was removed"));
    }

    [Fact]
    public void A_second_process_on_the_same_run_folder_is_refused_until_the_first_is_done()
    {
        using var root = new ScratchFolder();
        var runFolder = Path.Combine(root.Path, "run");

        using (RunLock.Acquire(runFolder))
        {
            var refused = Assert.Throws<ArgumentException>(() => RunLock.Acquire(runFolder));
            Assert.Equal($"{runFolder}: another training run is using this run folder (it holds run.lock); wait for it to end, or give this run its own --run or --name", refused.Message);
            // Another run folder is free.
            using var other = RunLock.Acquire(Path.Combine(root.Path, "other-run"));
        }
        using var after = RunLock.Acquire(runFolder);
    }

    [Fact]
    public void Training_takes_the_run_folders_lock_before_anything_else()
    {
        using var root = new ScratchFolder();
        var job = Job(root.Path) with { Engine = new EngineSettings { Steps = 1 } };
        var stale = File(Temporary(job.OutputFolder, "star.safetensors"), 9);

        using var held = RunLock.Acquire(job.RunFolder);
        var refused = Assert.Throws<ArgumentException>(() =>
            new TrainingEngine(TrainingEngineTests.Plugins, _ => { }, _ => { }).Run(job, null, null, CancellationToken.None));

        Assert.Contains("another training run is using this run folder", refused.Message);
        // The other process's files are not touched.
        Assert.True(System.IO.File.Exists(stale));
    }
}

using DiffusionTune.Contracts;
using DiffusionTune.Training.Checkpoints;
using DiffusionTune.Training.Engine;

namespace DiffusionTune.Tests.Training;

/// <summary>A run folder is resumed only by the run of its fingerprint; another run moves beside it, or is refused when the user named the folder.</summary>
public class RunPlacementTests
{
    static readonly TrainerInfo Lora = new("lora", "test trainer", new Version(1, 2), [new TrainerOption("rank", TrainerOptionKind.Integer, 8, "adapter rank")]);

    static TrainJob Job(string root, int steps = 5) => new()
    {
        Trainer = "lora",
        Model = Path.Combine(root, "no-model-here"),
        Images = Path.Combine(root, "images"),
        OutputFolder = Path.Combine(root, "out"),
        OutputName = "star",
        RunFolder = Path.Combine(root, "out", "star-run"),
        Engine = new EngineSettings { Steps = steps },
    };

    static void Image(string root, string name, string content)
    {
        Directory.CreateDirectory(Path.Combine(root, "images"));
        File.WriteAllText(Path.Combine(root, "images", name), content);
    }

    /// <summary>A run of <paramref name="job"/> that saved a checkpoint at <paramref name="step"/>.</summary>
    static void Ran(TrainJob job, int step)
    {
        RunFingerprint.Of(job, Lora, TrainerOptionParser.Parse(Lora, job.TrainerOptions)).Write(job.RunFolder);
        new RunCheckpoints(job.RunFolder).Save(step, folder => File.WriteAllText(Path.Combine(folder, "trainable.safetensors"), ""));
    }

    [Fact]
    public void The_same_run_resumes_even_with_more_steps_or_other_save_and_sample_settings()
    {
        using var root = new ScratchFolder();
        Image(root.Path, "a.png", "star");
        Ran(Job(root.Path), step: 2);
        var longer = Job(root.Path, steps: 9) with { Engine = new EngineSettings { Steps = 9, SaveEvery = 1, SamplePrompts = ["another"], SampleSteps = 3 }, Precision = "bf16" };

        var placement = RunPlacement.Choose(longer, Lora, runFolderNamed: true);

        Assert.Equal(longer, placement.Job);
        Assert.Equal($"resuming run {longer.RunFolder} at step 2 of 9", placement.Message);
        // Giving the default rank explicitly is the same run.
        Assert.Equal(longer.RunFolder, RunPlacement.Choose(longer with { TrainerOptions = new Dictionary<string, string> { ["rank"] = "8" } }, Lora, false).Job.RunFolder);
    }

    [Fact]
    public void A_finished_run_says_there_is_nothing_to_train()
    {
        using var root = new ScratchFolder();
        Image(root.Path, "a.png", "star");
        Ran(Job(root.Path), step: 5);

        Assert.Equal($"run {Job(root.Path).RunFolder} has already done 5 of 5 steps with these settings: nothing to train (give more --steps to continue it)",
            RunPlacement.Choose(Job(root.Path), Lora, false).Message);
    }

    [Fact]
    public void Other_settings_or_images_start_a_new_run_beside_it_and_say_what_differs()
    {
        using var root = new ScratchFolder();
        Image(root.Path, "a.png", "star");
        var first = Job(root.Path);
        Ran(first, step: 2);
        Image(root.Path, "b.png", "moon");
        var other = first with { TrainerOptions = new Dictionary<string, string> { ["rank"] = "16" }, Engine = new EngineSettings { Steps = 5, LearningRate = 2e-4 } };

        var placement = RunPlacement.Choose(other, Lora, runFolderNamed: false);

        var moved = Path.Combine(root.Path, "out-2");
        Assert.Equal(moved, placement.Job.OutputFolder);
        Assert.Equal(Path.Combine(moved, "star-run"), placement.Job.RunFolder);
        Assert.Matches(@"^.*out[/\\]star-run holds a run with other settings \(images 1 files, sha256 [0-9a-f]{12} → 2 files, sha256 [0-9a-f]{12}; "
            + @"learning_rate 0\.0001 → 0\.0002; option rank 8 → 16\): starting a new run in .*out-2[/\\]star-run$", placement.Message);

        // The moved run, once started, is resumed by the same command; a third kind of run goes on to out-3.
        Ran(placement.Job, step: 1);
        Assert.Contains($"resuming run {placement.Job.RunFolder} at step 1 of 5", RunPlacement.Choose(other, Lora, false).Message);
        Assert.Equal(Path.Combine(root.Path, "out-3"), RunPlacement.Choose(other with { Engine = new EngineSettings { Seed = 7 } }, Lora, false).Job.OutputFolder);
    }

    [Fact]
    public void A_named_run_folder_with_another_run_is_refused_with_the_difference()
    {
        using var root = new ScratchFolder();
        Image(root.Path, "a.png", "star");
        var job = Job(root.Path);
        Ran(job, step: 2);

        var refused = Assert.Throws<ArgumentException>(() => RunPlacement.Choose(job with { InstancePrompt = "a sks star" }, Lora, runFolderNamed: true));

        Assert.Equal($"{job.RunFolder}: this run folder holds a run with other settings (instance_prompt (each image's caption) → a sks star); "
            + "give the run its own --run folder, or leave --run out to start a new run beside it", refused.Message);
    }

    [Fact]
    public void A_run_folder_without_checkpoints_holds_no_run_and_a_legacy_one_is_another_run()
    {
        using var root = new ScratchFolder();
        Image(root.Path, "a.png", "star");
        var job = Job(root.Path);
        Directory.CreateDirectory(job.RunFolder);
        Assert.Equal($"new run in {job.RunFolder}", RunPlacement.Choose(job, Lora, true).Message);

        new RunCheckpoints(job.RunFolder).Save(2, _ => { });
        var refused = Assert.Throws<ArgumentException>(() => RunPlacement.Check(job.RunFolder, RunFingerprint.Of(job, Lora, TrainerOptionParser.Parse(Lora, job.TrainerOptions))));
        Assert.Contains("it has no record of its settings (it was made by an older version)", refused.Message);
    }

    [Fact]
    public void A_continued_runs_earlier_final_result_is_renamed_to_its_step()
    {
        using var root = new ScratchFolder();
        var job = Job(root.Path);
        Directory.CreateDirectory(job.OutputFolder);
        File.WriteAllText(Path.Combine(job.OutputFolder, "star.safetensors"), "step 5");

        var setAside = FinalResult.SetAside(job, 5);

        Assert.Equal(Path.Combine(job.OutputFolder, "star-step000005.safetensors"), setAside);
        Assert.Equal("step 5", File.ReadAllText(setAside!));
        Assert.Null(FinalResult.Find(job));
        Assert.Null(FinalResult.SetAside(job, 5));
    }
}

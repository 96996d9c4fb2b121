using DiffusionTune.Cli;
using DiffusionTune.Tests.Cli;
using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Tests.Training;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Loop;
using DiffusionTune.Training.Plugins;
using DiffusionTune.Workflows.Plugins;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Plugins;

/// <summary>
/// Broken plugins next to good ones: the broken one is skipped with a warning or stops its own run with one line
/// naming it; the good ones, <c>plugins list</c> and the host carry on. Plugin folders may be given relative to the
/// current directory.
/// </summary>
public class BrokenPluginTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>A plugin root holding the broken-Info plugin and the failing trainer, under <paramref name="scratch"/>.</summary>
    static string BrokenPluginRoot(ScratchFolder scratch)
    {
        var root = scratch.File("plugs");
        foreach (var name in new[] { "BrokenInfoTrainer", "FailingTrainer" })
            PluginCatalogTests.CopyPlugin(Path.Combine(AppContext.BaseDirectory, "test-plugins", name), Path.Combine(root, name), skip: null);
        return root;
    }

    [Theory]
    [InlineData("begin", "Begin")]
    [InlineData("loss", "Loss")]
    [InlineData("save", "Save")]
    public void A_plugin_that_throws_during_a_run_is_named_with_the_member_and_its_message(string failIn, string member)
    {
        using var scratch = new ScratchFolder();
        var trainer = PluginCatalog.Load([BrokenPluginRoot(scratch)]).Find("failing");
        var options = TrainerOptionParser.Parse(trainer.Info, new Dictionary<string, string> { ["fail_in"] = failIn });
        var runFolder = scratch.File("run");

        var error = Assert.Throws<TrainerPluginException>(() =>
        {
            using var run = TrainingLoopTests.Run(trainer.Trainer, runFolder, steps: 1, options: options);
            new TrainingLoop(runFolder, checkpointEvery: 1).Run(run);
        });

        Assert.Equal($"plugin 'failing' failed in {member}: {failIn} broke", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        // A save that failed leaves no checkpoint, complete or temporary.
        var checkpoints = Path.Combine(runFolder, "checkpoints");
        Assert.True(!Directory.Exists(checkpoints) || Directory.GetFileSystemEntries(checkpoints).Length == 0);
    }

    [Fact]
    public void Plugins_list_from_a_relative_folder_or_variable_shows_the_good_plugins_and_why_the_broken_one_failed()
    {
        using var scratch = new ScratchFolder();
        var root = BrokenPluginRoot(scratch);

        var fromOption = CliProcess.Run(["plugins", "list", "--plugins-folder", "plugs"], scratch.Path, Timeout);
        var fromVariable = CliProcess.Run(["plugins", "list"], scratch.Path, Timeout,
            new Dictionary<string, string> { [PluginRoots.EnvironmentVariable] = "plugs" });

        foreach (var result in new[] { fromOption, fromVariable })
        {
            Assert.False(result.Failed, result.Tail(20));
            var output = result.Unwrapped;
            Assert.Contains("failing 1.0 (contract", output);
            Assert.Contains("lora 1.0.0 (contract", output);
            Assert.Contains($"failed: {Path.Combine(root, "BrokenInfoTrainer")}: BrokenInfoTrainer.NullInfoTrainer.Info is null", output);
            Assert.Contains("BrokenInfoTrainer.StaticConstructorTrainer's constructor threw: licence server unreachable", output);
        }
    }

    [Fact]
    public async Task Train_stops_with_one_line_naming_a_plugin_that_fails_and_runs_a_good_plugin_beside_broken_ones()
    {
        using var scratch = new ScratchFolder();
        var root = BrokenPluginRoot(scratch);
        var model = RandomTinyModel.SaveDiffusers();
        string[] Arguments(string trainer, string output) => ["train", "--trainer", trainer, "--plugins-folder", root, "--model", model,
            "--images", QuickStart.SampleImages, "--steps", "1", "--sample-steps", "1", "--output", output, "--device", "cpu", "--damage-report", "off"];

        var failed = CliProcess.Run([.. Arguments("failing", scratch.File("failing")), "--option", "fail_in=loss"], scratch.Path, Timeout);

        Assert.Equal(1, failed.ExitCode);
        Assert.False(failed.Crashed, failed.Tail(20));
        Assert.Contains("error: plugin 'failing' failed in Loss: loss broke", failed.Output);
        Assert.Contains($"warning: plugin {Path.Combine(root, "BrokenInfoTrainer")} was not loaded: ", failed.Unwrapped);
        Assert.DoesNotContain("   at ", failed.Output);
        // The stack trace is for the plugin's author, in the run's log.
        var log = File.ReadAllText(Path.Combine(scratch.File("failing"), "failing-run", "log.txt"));
        Assert.Contains("System.InvalidOperationException: loss broke", log);
        Assert.Contains("at FailingTrainer.FailingTrainer.Session.Loss", log);

        Assert.Equal(0, await CliApplication.RunAsync(Arguments("lora", scratch.File("lora"))));
        Assert.True(File.Exists(Path.Combine(scratch.File("lora"), "lora.safetensors")));
    }
}

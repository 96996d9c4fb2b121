using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Damage;
using DiffusionTune.Workflows.Settings;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Workflows;

/// <summary>A host other than the CLI trains a preset and gets its progress, grid and damage report through the workflow.</summary>
public class TrainingJobTests
{
    [Fact]
    public void A_preset_trains_in_a_host_that_hears_progress_and_images_and_gets_the_grid_and_the_damage_report()
    {
        using var folder = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers();
        var origin = new SettingOrigin("the test");
        var request = new TrainRequest(QuickStart.PresetName, [], [],
        [
            (TrainSettings.Model, new SettingValue(model, origin)),
            (TrainSettings.Images, new SettingValue(QuickStart.SampleImages, origin)),
            (TrainSettings.Output, new SettingValue(folder.File("quick"), origin)),
            (TrainSettings.Steps, new SettingValue(2, origin)),
            (TrainSettings.WarmupSteps, new SettingValue(0, origin)),
            (TrainSettings.SampleSteps, new SettingValue(2, origin)),
            (TrainSettings.Device, new SettingValue("cpu", origin)),
        ]);
        var reporter = new RecordingReporter();

        var prepared = TrainingJob.Prepare(request, reporter);
        var outcome = TrainingJob.Run(prepared, reporter, CancellationToken.None);

        Assert.True(outcome.Result.Finished);
        Assert.Contains(reporter.Messages, message => message.StartsWith($"Preset {QuickStart.PresetName} (", StringComparison.Ordinal));
        Assert.Equal(outcome.Job.OutputName, reporter.Started[0]);
        // The sample strip of the last step, every before/after cell, then the grid, is announced as it is written.
        Assert.Equal(14, reporter.Images.Count);
        Assert.Contains("-step000002.png", reporter.Images[0], StringComparison.Ordinal);
        // Loss and learning rate for each step.
        Assert.Equal([("loss", 1), ("learning_rate", 1), ("loss", 2), ("learning_rate", 2)], reporter.Metrics.Select(m => (m.Name, m.Step)));
        Assert.Equal(outcome.BeforeAfterGrid, reporter.Images[^1]);
        Assert.True(File.Exists(outcome.BeforeAfterGrid));
        Assert.Equal(QuickStart.PresetName, Assert.Single(outcome.Damage!.Loras).Name);
        Assert.True(File.Exists(TrainingDamageReport.PathFor(outcome.Job)));
    }
}

using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Training.Checkpoints;
using DiffusionTune.Training.Engine;
using DiffusionTune.Training.Loop;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Training;

/// <summary>Ctrl+C while a sample grid renders stops it within the image it is on, keeps the step and writes no grid.</summary>
public class SampleGridCancellationTests
{
    [Fact]
    public void Cancelling_during_the_sample_grid_stops_after_the_current_image_and_keeps_the_step()
    {
        using var folder = new ScratchFolder();
        using var model = RandomTinyModel.Create();
        var settings = new EngineSettings
        {
            Steps = 4, SaveEvery = 3, LearningRate = 1e-2,
            SampleEvery = 2, SampleSteps = 2, SamplePrompts = ["a cat", "a dog", "a bird"],
        };
        using var run = TrainingLoopTests.Run(new TrainingLoopTests.BiasTrainer(nanFrom: int.MaxValue), folder.Path, model, settings);
        // Every generated image ends with one VAE decode: cancel when the grid's first image is done.
        using var cancel = new CancellationTokenSource();
        int decoded = 0;
        var decoder = (nn.Module<Tensor, Tensor>)model.Vae.named_children().Single(child => child.name == "decoder").module;
        var hook = decoder.register_forward_hook((_, _, output) =>
        {
            decoded++;
            cancel.Cancel();
            return output;
        });

        int done = new TrainingLoop(folder.Path, checkpointEvery: 3).Run(run, cancellation: cancel.Token);
        hook.remove();

        // Stopped at the first grid (step 2) after one of its three images; step 2 is kept although it is no save point.
        Assert.Equal(2, done);
        Assert.Equal(1, decoded);
        Assert.Equal(2, new RunCheckpoints(folder.Path).Latest()!.Value.Step);
        // No grid under its final name and no temporary of one.
        Assert.Empty(Directory.GetFileSystemEntries(TrainerRun.SampleFolderOf(folder.Path)));
    }
}

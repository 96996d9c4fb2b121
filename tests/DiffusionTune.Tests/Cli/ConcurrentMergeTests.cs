using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Pipelines;
using static DiffusionTune.Tests.Adapters.AdapterTestData;

namespace DiffusionTune.Tests.Cli;

/// <summary>
/// Two <c>merge-lora</c> runs to the same new output, started together as from two shells: whichever gets there first
/// writes it whole, the other refuses in one line, and nothing replaces the first one's result.
/// </summary>
public class ConcurrentMergeTests
{
    [Theory]
    [InlineData("merged.safetensors")]
    [InlineData("merged")]
    public void Of_two_runs_to_one_new_output_one_writes_it_and_the_other_refuses(string name)
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var lora = WriteKohyaLora("style.safetensors", [(SelfAttentionQuery, 4), (TextQuery, 4)]);
        var output = scratch.File(name);
        // Different strengths, so that the result says whose it is.
        string[] strengths = ["0.5", "1"];

        var runs = strengths.Select(strength => Task.Factory.StartNew(
            () => CliProcess.Run(["merge-lora", "--model", model, "--lora", $"{lora}:{strength}", "--output", output, "--device", "cpu"], scratch.Path, TimeSpan.FromMinutes(2)),
            TaskCreationOptions.LongRunning)).ToArray();
        var results = runs.Select(run => run.Result).ToArray();

        int winner = Assert.Single(Enumerable.Range(0, strengths.Length), run => results[run].ExitCode == 0);
        var loser = results[1 - winner];
        Assert.Equal(1, loser.ExitCode);
        Assert.False(loser.Crashed, loser.Tail(20));
        Assert.Contains(loser.Lines, line => line.StartsWith("error:", StringComparison.Ordinal) && line.Contains("already exists", StringComparison.Ordinal));
        var weights = name.EndsWith(".safetensors", StringComparison.Ordinal) ? output : Path.Combine(output, "unet", "diffusion_pytorch_model.safetensors");
        using (var merged = SafetensorsFile.Open(weights))
            Assert.Contains($"\"strength\":{strengths[winner]},", merged.Metadata[ModelMetadata.MergedLoras]);
        Assert.Equal([output], Directory.GetFileSystemEntries(scratch.Path));
    }
}

using DiffusionTune.Tests.Pipelines;
using DiffusionTune.Workflows.Generation;
using DiffusionTune.Workflows.Loading;

namespace DiffusionTune.Tests.Workflows;

/// <summary>A host other than the CLI runs the generation job and hears everything through its reporter.</summary>
public class GenerationJobTests
{
    [Fact]
    public void A_generation_job_reports_loading_progress_warnings_and_each_image_through_the_reporter()
    {
        var model = RandomTinyModel.SaveDiffusers();
        var output = Path.Combine(TestPaths.TempFolder(), "out");
        var reporter = new RecordingReporter();

        GenerationJob.Run(new GenerateSettings
        {
            Model = model,
            Prompt = "a cat <lora:missing:0.5>",
            Seeds = "7,8",
            Sampling = new SamplingSettings { Steps = 2, Width = 32, Height = 32, Loading = new ModelLoadingSettings { Device = "cpu" } },
            Output = output,
        }, reporter, CancellationToken.None);

        Assert.StartsWith($"Loading {model} on cpu (fp32)", reporter.Messages[0], StringComparison.Ordinal);
        Assert.StartsWith("prompt tag <lora:missing:0.5>: ", Assert.Single(reporter.Warnings), StringComparison.Ordinal);
        // One image per batch (batch size 1), each announced when written.
        Assert.Equal(2, reporter.Started.Count);
        Assert.Equal(Directory.GetFiles(output, "*.png").Order(), reporter.Images.Order());
        Assert.StartsWith("Wrote 2 image(s) to ", reporter.Messages[^1], StringComparison.Ordinal);
    }
}

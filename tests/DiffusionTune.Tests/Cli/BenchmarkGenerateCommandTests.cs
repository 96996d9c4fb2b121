using System.Text.Json;
using DiffusionTune.Cli;
using DiffusionTune.Cli.Commands.Benchmark;
using DiffusionTune.Tests.Pipelines;

namespace DiffusionTune.Tests.Cli;

public class BenchmarkGenerateCommandTests
{
    [Fact]
    public async Task It_times_every_precision_size_and_guidance_and_writes_the_figures_as_json()
    {
        using var scratch = new ScratchFolder();
        var json = scratch.File("figures.json");
        string[] args = ["benchmark", "generate", "--config", RandomTinyModel.SaveDiffusers(), "--size", "32", "48", "--precision", "fp32", "bf16",
            "--steps", "2", "--cfg", "7", "1", "--peer-seconds-per-step", "32:7=4.1/54", "--json", json, "--device", "cpu"];

        Assert.Equal(0, await CliApplication.RunAsync(args));

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("the peer figures given with --peer-seconds-per-step", document.RootElement.GetProperty("PeerSource").GetString());
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["fp32/32/7", "fp32/32/1", "fp32/48/7", "fp32/48/1", "bf16/32/7", "bf16/32/1", "bf16/48/7", "bf16/48/1"],
            results.Select(r => $"{r.GetProperty("Precision").GetString()}/{r.GetProperty("Size").GetInt32()}/{r.GetProperty("Cfg").GetDouble()}"));
        Assert.All(results, r =>
        {
            Assert.Equal(2, r.GetProperty("Steps").GetInt32());
            foreach (var name in new[] { "SecondsPerStep", "TextEncodingSeconds", "VaeDecodeSeconds", "SecondsPerImage" })
                Assert.True(r.GetProperty(name).GetDouble() > 0, name);
            Assert.True(r.GetProperty("PeakBytes").GetInt64() > 0);
        });
        // Only the size and guidance the peer was given for get ratios.
        var compared = results.Where(r => r.GetProperty("PeerSecondsPerStep").ValueKind == JsonValueKind.Number).ToList();
        Assert.Equal(2, compared.Count);
        Assert.All(compared, r =>
        {
            Assert.Equal(32, r.GetProperty("Size").GetInt32());
            Assert.Equal(4.1 / r.GetProperty("SecondsPerStep").GetDouble(), r.GetProperty("StepSpeedupOverPeer").GetDouble(), 6);
            Assert.Equal(54 / r.GetProperty("SecondsPerImage").GetDouble(), r.GetProperty("ImageSpeedupOverPeer").GetDouble(), 6);
        });
    }

    [Theory]
    [InlineData("256:7=4.1", 256, 7, 4.1, null)]
    [InlineData("512:1.5=12.8/285", 512, 1.5, 12.8, 285.0)]
    public void Peer_figures_read_size_guidance_and_seconds(string text, int size, double cfg, double perStep, double? perImage) =>
        Assert.Equal(new PeerGenerationFigure(size, cfg, perStep, perImage), PeerGenerationFigure.Parse(text));

    [Theory]
    [InlineData("256=4.1")]
    [InlineData("256:7")]
    [InlineData("256:7=-1")]
    [InlineData("256:7=4.1/x")]
    public void Malformed_peer_figures_are_a_user_error(string text) =>
        Assert.Throws<ArgumentException>(() => PeerGenerationFigure.Parse(text));

    [Fact]
    public async Task Malformed_peer_figures_fail_the_command_with_a_one_line_error()
    {
        Assert.Equal(1, await CliApplication.RunAsync(["benchmark", "generate", "--config", RandomTinyModel.SaveDiffusers(), "--size", "32",
            "--precision", "fp32", "--steps", "1", "--peer-seconds-per-step", "32=1", "--device", "cpu"]));
    }
}

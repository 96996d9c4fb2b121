using System.Diagnostics;
using System.Text.Json;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.IO;
using DiffusionTune.Models.Clip;
using DiffusionTune.Models.Runtime;
using Spectre.Console;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>
/// Times whole images through <see cref="TextToImagePipeline.Generate"/>, the path <c>generate</c> takes, per precision,
/// size and guidance scale: seconds per sampler step (the median of steps 2…N, from the pipeline's step callback; step 1
/// also holds the text encoding), VAE decode (from the last step to the image), text encoding (the prompt encoder alone),
/// the whole image and peak resident memory; then the ratios against a peer's figures.
/// </summary>
public static class BenchmarkGenerateCommand
{
    /// <summary>The prompt every image is made from; any prompt costs the same (every chunk is 77 tokens).</summary>
    const string Prompt = "a red star on a striped blue background";

    public sealed record Figures(string Precision, int Size, double Cfg, int Steps, double SecondsPerStep, double TextEncodingSeconds,
        double VaeDecodeSeconds, double SecondsPerImage, long PeakBytes, double? PeerSecondsPerStep, double? StepSpeedupOverPeer,
        double? PeerSecondsPerImage, double? ImageSpeedupOverPeer);

    public static int Run(BenchmarkGenerateSettings settings, CancellationToken cancellation = default)
    {
        if (settings.Steps < 1) throw new ArgumentException("--steps must be at least 1");
        if (settings.Sizes.Length == 0 || settings.Cfgs.Length == 0) throw new ArgumentException("--size and --cfg need at least one value");
        var sampler = SamplerChoice.Parse(settings.Sampler);
        var device = ComputeDevice.Resolve(settings.Device);
        var dtypes = settings.Precisions.Select(p => Precision.Resolve(p, device)).ToArray();
        bool peersGiven = settings.PeerSecondsPerStep.Length > 0;
        var peers = peersGiven ? settings.PeerSecondsPerStep.Select(PeerGenerationFigure.Parse).ToList() : PeerGenerationFigure.RecordedStableDiffusionCpp;
        string peerSource = peersGiven
            ? "the peer figures given with --peer-seconds-per-step"
            : "stable-diffusion.cpp figures recorded earlier on this kind of machine (2 threads, Euler, 10 steps, f32 compute), not measured in this run";

        AnsiConsole.MarkupLineInterpolated($"{settings.Config}, {sampler.DisplayName}, {settings.Steps} steps, device {device}, {get_num_threads()} threads");
        var results = new List<Figures>();
        foreach (var dtype in dtypes)
        {
            AnsiConsole.MarkupLineInterpolated($"{Precision.NameOf(dtype)}: building the model …");
            using var model = BenchmarkModel.Build(settings.Config, device, dtype);
            var pipeline = new TextToImagePipeline(model);
            double textEncoding = TextEncodingSeconds(model);
            foreach (int size in settings.Sizes)
            {
                // One untimed one-step image per size warms every kernel the timed images use, the VAE decode included.
                AnsiConsole.MarkupLineInterpolated($"{Precision.NameOf(dtype)}, {size} px: warming up …");
                pipeline.Generate(Request(size, settings.Cfgs[0], 1, sampler), cancellation: cancellation).Dispose();
                foreach (double cfg in settings.Cfgs)
                {
                    AnsiConsole.MarkupLineInterpolated($"{Precision.NameOf(dtype)}, {size} px, CFG {cfg}: one image …");
                    var peer = peers.FirstOrDefault(p => p.Size == size && p.Cfg == cfg);
                    results.Add(MeasureImage(pipeline, Request(size, cfg, settings.Steps, sampler), Precision.NameOf(dtype), textEncoding, peer, cancellation));
                }
            }
        }
        Render(results, peerSource);
        if (settings.Json is not null)
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(new { settings, Threads = get_num_threads(), PeerSource = peerSource, results },
                new JsonSerializerOptions { WriteIndented = true }));
        return CommandRunner.Success;
    }

    static GenerationRequest Request(int size, double cfg, int steps, SamplerChoice sampler) => new()
    {
        Prompt = Prompt,
        Steps = steps,
        GuidanceScale = cfg,
        Sampler = sampler,
        Width = size,
        Height = size,
    };

    /// <summary>The median of three encodings of a prompt and the empty negative prompt, as the pipeline encodes them (after one warm-up).</summary>
    static double TextEncodingSeconds(StableDiffusionModel model)
    {
        var encoder = new PromptEncoder(model.Tokenizer, model.TextEncoder, longPrompts: LongPromptHandling.Chunk, gates: model.Gates);
        var times = new double[4];
        for (int i = 0; i < times.Length; i++)
        {
            using var scope = NewDisposeScope();
            using var _ = inference_mode();
            var watch = Stopwatch.StartNew();
            encoder.EncodePair([Prompt], [""]);
            times[i] = watch.Elapsed.TotalSeconds;
        }
        return Median(times[1..]);
    }

    static Figures MeasureImage(TextToImagePipeline pipeline, GenerationRequest request, string precision, double textEncoding,
        PeerGenerationFigure? peer, CancellationToken cancellation)
    {
        var stepEnds = new List<double>();
        using var memory = new PeakMemory();
        var watch = Stopwatch.StartNew();
        pipeline.Generate(request, (_, _) => stepEnds.Add(watch.Elapsed.TotalSeconds), cancellation).Dispose();
        double image = watch.Elapsed.TotalSeconds;
        double perStep = stepEnds.Count > 1
            ? Median([.. stepEnds.Zip(stepEnds.Skip(1), (previous, next) => next - previous)])
            : stepEnds[0] - textEncoding;
        return new Figures(precision, request.Width, request.GuidanceScale, request.Steps, perStep, textEncoding, image - stepEnds[^1], image,
            memory.PeakBytes, peer?.SecondsPerStep, peer?.SecondsPerStep / perStep, peer?.SecondsPerImage, peer?.SecondsPerImage / image);
    }

    static double Median(double[] values)
    {
        Array.Sort(values);
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
    }

    static void Render(List<Figures> results, string peerSource)
    {
        // Two-line headers keep the table within the 80 columns a redirected console gets; the peer's own figures are in the JSON.
        var table = new Table().Border(TableBorder.Rounded).AddColumn("dtype");
        foreach (var name in new[] { "px", "CFG", "step\ns", "encode\ns", "decode\ns", "image\ns", "RSS\nGiB", "×peer\nstep", "×peer\nimage" })
            table.AddColumn(new TableColumn(name).RightAligned());
        foreach (var r in results)
            table.AddRow(r.Precision, $"{r.Size}", $"{r.Cfg:G}", $"{r.SecondsPerStep:F2}", $"{r.TextEncodingSeconds:F2}", $"{r.VaeDecodeSeconds:F2}",
                $"{r.SecondsPerImage:F1}", $"{r.PeakBytes / (double)(1L << 30):F2}", Optional(r.StepSpeedupOverPeer), Optional(r.ImageSpeedupOverPeer));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"×peer = the peer's seconds ÷ ours (above 1: faster than the peer). Peer: {peerSource}.");
    }

    static string Optional(double? value) => value is double v ? v.ToString("F2") : "–";
}

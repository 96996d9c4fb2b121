using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Diffusion.Merging;
using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.Workflows.Loading;
using DiffusionTune.Workflows.Reporting;
using Spectre.Console;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.ExtractLora;

/// <summary>
/// Loads a base model and a fine-tune of it on the CPU in float32, extracts a LoRA from their difference
/// (<see cref="LoraExtraction"/>), writes it in kohya's format and reports what it carries per layer.
/// </summary>
public static class ExtractLoraCommand
{
    const int DefaultMaxRank = 128;

    public static int Run(ExtractLoraSettings settings, CancellationToken cancellation)
    {
        var selection = Selection(settings);
        var scope = settings.Targets switch
        {
            "attention" => LoraExtractionScope.Attention,
            "all" => LoraExtractionScope.All,
            "transformer" => LoraExtractionScope.Transformer,
            var other => throw new ArgumentException($"--targets '{other}' is not attention, transformer or all"),
        };
        var dtype = settings.SavePrecision switch
        {
            "fp32" => ScalarType.Float32,
            "bf16" => ScalarType.BFloat16,
            "fp16" => ScalarType.Float16,
            var other => throw new ArgumentException($"--save-precision '{other}' is not fp16, bf16 or fp32"),
        };
        var output = Path.GetFullPath(settings.Output);
        if (Path.Exists(output)) throw new ArgumentException($"{settings.Output} already exists; extract-lora never overwrites, so choose a new path");
        if (!output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{settings.Output}: a LoRA is written as a .safetensors file; give a path ending in .safetensors");

        var clock = Stopwatch.StartNew();
        // The SVD runs in float32 on the CPU, so the models are loaded there.
        var onCpu = new ModelLoadingSettings { Device = "cpu", Precision = "fp32", Tokenizer = settings.Tokenizer };
        using var @base = onCpu.Load(settings.Base, ConsoleReporter.Lines);
        using var tuned = onCpu.Load(settings.Tuned, ConsoleReporter.Lines);
        var loading = clock.Elapsed;
        ExtractedLora? extracted = null;
        ConsoleReporter.Run(reporter =>
        {
            IWorkflowProgress? task = null;
            extracted = LoraExtraction.Extract(@base, tuned, selection, scope, (done, total) =>
            {
                task ??= reporter.Start($"extracting ({selection})", total);
                task.Advance(done);
            }, cancellation);
            task?.Finish($"{extracted.Layers.Count} layer(s) changed");
        });
        using var lora = extracted!;
        var extraction = clock.Elapsed - loading;
        if (lora.Layers.Count == 0)
            throw new ModelFileException(tuned.SourcePath, $"no {settings.Targets} layer differs from {@base.SourcePath}; there is nothing to extract");

        KohyaLoraWriter.Save(output, lora.Layers, Metadata(@base, tuned, lora, selection, settings), dtype, overwrite: false);
        Report(lora, settings, output, tuned.SourcePath);
        AnsiConsole.MarkupLineInterpolated(
            $"Times: loading {Duration.Seconds(loading)}, extraction (SVD) {Duration.Seconds(extraction)}, total {Duration.Seconds(clock.Elapsed)}");
        return CommandRunner.Success;
    }

    static RankSelection Selection(ExtractLoraSettings settings)
    {
        if (settings.Rank is not null && settings.Energy is not null) throw new ArgumentException("give --rank or --energy, not both");
        if (settings.Rank is int rank)
        {
            if (settings.MaxRank is not null) throw new ArgumentException("--max-rank caps --energy; with --rank the rank is fixed");
            return Checked("--rank", () => RankSelection.Fixed(rank));
        }
        if (settings.Energy is double energy)
            return Checked("--energy/--max-rank", () => RankSelection.Energy(energy, settings.MaxRank ?? DefaultMaxRank));
        throw new ArgumentException("give --rank N (a fixed rank) or --energy SHARE (a rank per layer by energy)");
    }

    static RankSelection Checked(string options, Func<RankSelection> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{options}: {e.Message}", e);
        }
    }

    static KohyaLoraMetadata Metadata(StableDiffusionModel @base, StableDiffusionModel tuned, ExtractedLora lora, RankSelection selection, ExtractLoraSettings settings)
    {
        var extraction = new
        {
            @base = ModelReference.Of(@base),
            tuned = ModelReference.Of(tuned),
            rank_selection = selection.ToString(),
            targets = settings.Targets,
            layers = lora.Layers.Count,
            retained_energy = lora.RetainedEnergy,
            carried_share = lora.CarriedShare,
            relative_error = lora.RelativeError,
            save_precision = settings.SavePrecision,
        };
        return new KohyaLoraMetadata
        {
            V2 = tuned.IsStableDiffusion2,
            VPrediction = tuned.IsVPrediction,
            Training = new Dictionary<string, string>
            {
                [ModelMetadata.LoraExtraction] = JsonSerializer.Serialize(extraction),
                ["ss_sd_model_name"] = @base.Name,
                ["ss_output_name"] = Path.GetFileNameWithoutExtension(settings.Output),
                ["ss_training_comment"] = $"extracted by DiffusionTune extract-lora from {tuned.Name} minus {@base.Name} ({selection}, {settings.Targets} layers)",
            },
        };
    }

    static void Report(ExtractedLora lora, ExtractLoraSettings settings, string output, string tunedPath)
    {
        var table = new ResultTable("extracted layers", "layer", "weight", "rank", "energy kept", "rel. error");
        foreach (var layer in lora.Reports)
        {
            table.AddRow(layer.Target.ToString(), $"[{string.Join("×", layer.Target.WeightShape)}]", $"{layer.Rank}/{layer.FullRank}",
                Percent(layer.RetainedEnergy), Percent(layer.RelativeError, "0.000"));
        }
        table.Write();
        AnsiConsole.MarkupLineInterpolated(
            $"{lora.Layers.Count} layer(s), ranks {lora.Reports.Min(r => r.Rank)}–{lora.Reports.Max(r => r.Rank)}; {lora.UnchangedLayers} unchanged layer(s) left out");
        AnsiConsole.MarkupLineInterpolated(
            $"Energy kept: {Percent(lora.RetainedEnergy)} of the adapted layers' ‖ΔW‖²; relative weight error over them {Percent(lora.RelativeError, "0.000")} (before rounding to {settings.SavePrecision})");
        AnsiConsole.MarkupLineInterpolated(
            $"The LoRA carries {Percent(lora.CarriedShare)} of the whole model's change; {lora.LeftOutTensors} changed tensor(s) it cannot carry or its targets leave out (biases, norms, embeddings, other layers) hold the rest");
        long loraBytes = new FileInfo(output).Length, checkpointBytes = SizeOf(tunedPath);
        AnsiConsole.MarkupLineInterpolated(
            $"Wrote [bold]{output}[/]: {Megabytes(loraBytes)}, {Percent((double)loraBytes / checkpointBytes)} of the tuned checkpoint's {Megabytes(checkpointBytes)}");
    }

    /// <summary>A file's size, or everything in a folder (a diffusers model).</summary>
    static long SizeOf(string path) => File.Exists(path)
        ? new FileInfo(path).Length
        : new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    static string Percent(double share, string format = "0.0") => (share * 100).ToString(format, CultureInfo.InvariantCulture) + "%";

    static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " MB";
}

using System.Diagnostics;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionTune.Cli.Commands.Benchmark;

/// <summary>
/// Times each operation of a <see cref="UnetOpCensus"/> on its own at its real shape, forward and backward, and sums
/// the timings per class of operation (times how often the model runs it), beside the whole model's figures: where
/// the backward time goes, and which kernels are slow for their work. Variants (<see cref="OpVariants"/>) are timed
/// too. Isolated timings miss what the census does not list, so the remainder is shown as its own row.
/// </summary>
public static class OpProfile
{
    /// <summary>Median seconds of one call, forward and backward, of an operation (or of one of its variants).</summary>
    public sealed record OpTiming(IsolatedOp Op, string Variant, int Calls, double ForwardSeconds, double BackwardSeconds);

    public static List<OpTiming> Measure(IReadOnlyList<(IsolatedOp Op, int Calls)> ops, ScalarType dtype, Device device, int repeats)
    {
        var timings = new List<OpTiming>();
        foreach (var (op, calls) in ops)
        {
            var (forward, backward) = Time(op, dtype, device, repeats);
            timings.Add(new OpTiming(op, "", calls, forward, backward));
            foreach (var (name, variant) in OpVariants.For(op, dtype))
            {
                var (variantForward, variantBackward) = Time(variant, dtype, device, repeats);
                timings.Add(new OpTiming(variant, name, calls, variantForward, variantBackward));
            }
        }
        return timings;
    }

    static (double Forward, double Backward) Time(IsolatedOp op, ScalarType dtype, Device device, int repeats)
    {
        var forwards = new double[repeats];
        var backwards = new double[repeats];
        for (int i = -1; i < repeats; i++)
        {
            // Run -1 is the warm-up; each run gets fresh leaves so gradients never accumulate.
            using var scope = NewDisposeScope();
            var inputs = op.Inputs(dtype, device);
            var watch = Stopwatch.StartNew();
            var output = op.Run(inputs);
            Synchronize(device);
            double forward = watch.Elapsed.TotalSeconds;
            var gradient = randn(output.shape, output.dtype, device);
            watch.Restart();
            output.backward([gradient]);
            Synchronize(device);
            if (i < 0) continue;
            forwards[i] = forward;
            backwards[i] = watch.Elapsed.TotalSeconds;
        }
        return (Median(forwards), Median(backwards));
    }

    static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize();
    }

    static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }

    /// <param name="modelForward">The whole model's forward seconds (with grad).</param>
    /// <param name="modelBackward">The whole model's backward seconds.</param>
    /// <param name="matmulPeakGflops">The machine's matmul figure in this dtype, to judge the compute-bound operations by.</param>
    public static void Render(string title, List<OpTiming> timings, double modelForward, double modelBackward, double matmulPeakGflops)
    {
        var plain = timings.Where(t => t.Variant.Length == 0).ToList();
        double sumForward = plain.Sum(t => t.Calls * t.ForwardSeconds), sumBackward = plain.Sum(t => t.Calls * t.BackwardSeconds);
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title)).AddColumn("operation")
            .AddColumn(new TableColumn("calls").RightAligned()).AddColumn(new TableColumn("forward ms").RightAligned())
            .AddColumn(new TableColumn("backward ms").RightAligned()).AddColumn(new TableColumn("share of backward").RightAligned())
            .AddColumn(new TableColumn("backward ÷ forward").RightAligned()).AddColumn(new TableColumn("backward GFLOP/s (of peak)").RightAligned());
        foreach (var group in plain.GroupBy(t => t.Op.Class).OrderByDescending(g => g.Sum(t => t.Calls * t.BackwardSeconds)))
        {
            double forward = group.Sum(t => t.Calls * t.ForwardSeconds), backward = group.Sum(t => t.Calls * t.BackwardSeconds);
            // Backward of a matmul-like operation is two of its forwards: the input's gradient and the weight's.
            double flop = group.Sum(t => t.Calls * 2 * t.Op.ForwardFlop);
            table.AddRow(Markup.Escape(group.Key), $"{group.Sum(t => t.Calls)}", $"{forward * 1e3:F0}", $"{backward * 1e3:F0}", $"{backward / modelBackward:P0}",
                $"{backward / forward:F1}", flop > 0 ? $"{flop / backward / 1e9:F0} ({flop / backward / 1e9 / matmulPeakGflops:P0})" : "");
        }
        table.AddRow("sum of the above", "", $"{sumForward * 1e3:F0}", $"{sumBackward * 1e3:F0}", $"{sumBackward / modelBackward:P0}", $"{sumBackward / sumForward:F1}", "");
        table.AddRow("whole model", "", $"{modelForward * 1e3:F0}", $"{modelBackward * 1e3:F0}", "100 %", $"{modelBackward / modelForward:F1}", "");
        table.AddRow("remainder (adds, cat, reshapes, overhead)", "", $"{(modelForward - sumForward) * 1e3:F0}", $"{(modelBackward - sumBackward) * 1e3:F0}",
            $"{(modelBackward - sumBackward) / modelBackward:P0}", "", "");
        AnsiConsole.Write(table);

        var heaviest = new Table().Border(TableBorder.Rounded).Title("heaviest shapes (calls × backward)").AddColumn("operation").AddColumn("shape")
            .AddColumn(new TableColumn("calls").RightAligned()).AddColumn(new TableColumn("forward ms").RightAligned())
            .AddColumn(new TableColumn("backward ms").RightAligned()).AddColumn(new TableColumn("backward GFLOP/s").RightAligned());
        foreach (var t in plain.OrderByDescending(t => t.Calls * t.BackwardSeconds).Take(12))
            heaviest.AddRow(Markup.Escape(t.Op.Class), Markup.Escape(t.Op.Shape), $"{t.Calls}", $"{t.ForwardSeconds * 1e3:F1}", $"{t.BackwardSeconds * 1e3:F1}",
                t.Op.ForwardFlop > 0 ? $"{2 * t.Op.ForwardFlop / t.BackwardSeconds / 1e9:F0}" : "");
        AnsiConsole.Write(heaviest);

        var variants = new Table().Border(TableBorder.Rounded).Title("variants (all calls of the class)").AddColumn("operation").AddColumn("variant")
            .AddColumn(new TableColumn("forward ms").RightAligned()).AddColumn(new TableColumn("backward ms").RightAligned())
            .AddColumn(new TableColumn("as computed: forward / backward ms").RightAligned());
        foreach (var group in timings.Where(t => t.Variant.Length > 0).GroupBy(t => (t.Op.Class, t.Variant)))
        {
            var shapes = group.Select(t => t.Op.Shape).ToHashSet();
            var baseline = plain.Where(t => t.Op.Class == group.Key.Class && shapes.Contains(t.Op.Shape)).ToList();
            variants.AddRow(Markup.Escape(group.Key.Class), Markup.Escape(group.Key.Variant), $"{group.Sum(t => t.Calls * t.ForwardSeconds) * 1e3:F0}",
                $"{group.Sum(t => t.Calls * t.BackwardSeconds) * 1e3:F0}",
                $"{baseline.Sum(t => t.Calls * t.ForwardSeconds) * 1e3:F0} / {baseline.Sum(t => t.Calls * t.BackwardSeconds) * 1e3:F0}");
        }
        AnsiConsole.Write(variants);
    }
}

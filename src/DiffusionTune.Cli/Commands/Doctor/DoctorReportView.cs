using System.Globalization;
using DiffusionTune.Cli.Rendering;
using DiffusionTune.Models.Runtime;
using Spectre.Console;

namespace DiffusionTune.Cli.Commands.Doctor;

/// <summary>
/// Shows a <see cref="DoctorReport"/>: a Spectre.Console table per section on an interactive terminal, plain
/// "name: value" lines when output is redirected (so it can be pasted into a bug report).
/// </summary>
public static class DoctorReportView
{
    sealed record Section(string Title, IReadOnlyList<(string Name, string Value)> Rows);

    public static void Write(DoctorReport report)
    {
        var sections = Sections(report);
        if (ConsoleReporter.Interactive)
        {
            foreach (var section in sections) AnsiConsole.Write(SpectreTable(section));
        }
        else
        {
            foreach (var section in sections)
            {
                Console.WriteLine(section.Title);
                int width = section.Rows.Max(row => row.Name.Length);
                // A row without a name continues the one above it (a list of files, say).
                foreach (var (name, value) in section.Rows) Console.WriteLine($"  {(name.Length == 0 ? "" : name + ":").PadRight(width + 1)} {value}");
                Console.WriteLine();
            }
        }
    }

    static Table SpectreTable(Section section)
    {
        var table = new Table { Title = new TableTitle(Markup.Escape(section.Title)), ShowHeaders = false }
            .Border(TableBorder.Rounded).AddColumn("").AddColumn("");
        foreach (var (name, value) in section.Rows) table.AddRow(Markup.Escape(name), Markup.Escape(value));
        return table;
    }

    static List<Section> Sections(DoctorReport report)
    {
        var platform = report.Platform;
        var torch = report.Torch;
        var sections = new List<Section>
        {
            new("System",
            [
                ("OS", $"{platform.Os} ({platform.RuntimeIdentifier})"),
                ("architecture", platform.Architecture),
                (".NET", platform.DotNet),
                ("CPU", $"{platform.CpuModel ?? "unknown model"}, {platform.LogicalCores} logical cores"),
                ("torch threads", torch.Loaded ? $"{torch.IntraOpThreads} intra-op, {torch.InterOpThreads} inter-op" : "-"),
                ("memory", Memory(report.Memory)),
                ("native heap", platform.NativeHeapKeepsFreedMemory ? "freed memory kept for reuse (glibc: no mmap'd blocks, no trimming)" : "system default"),
            ]),
            new("Torch", TorchRows(torch)),
            new("CUDA", CudaRows(report.Cuda)),
        };
        if (report.Precisions.Count > 0) sections.Add(new($"Precision (a {PrecisionProbe.Size}×{PrecisionProbe.Size} matmul)", PrecisionRows(report.Precisions)));
        if (report.Kernels.Count > 0) sections.Add(new("Kernels (against fp64)", KernelRows(report.Kernels)));
        var advice = report.CudaPackage;
        sections.Add(new("To use CUDA", advice.AddCommand is null
            ? [("package", "none"), ("why", advice.Note)]
            : [("package", $"{advice.Package} {advice.Version}{(advice.CudaVersion is null ? "" : $" (CUDA {advice.CudaVersion})")}"), ("add it", advice.AddCommand), ("note", advice.Note)]));
        return sections;
    }

    static List<(string, string)> TorchRows(TorchRuntimeReport torch)
    {
        var rows = new List<(string, string)>
        {
            ("TorchSharp", torch.TorchSharpVersion),
            ("libtorch", torch.LibTorchVersion),
            ("native library", torch.Loaded ? "loaded" : $"NOT LOADED: {torch.LoadError}"),
            ("backend", torch.Backend),
        };
        rows.AddRange(torch.NativeLibraries.Select((path, i) => (i == 0 ? "native files" : "", path)));
        if (torch.GlibcxxPatch is { } patch)
        {
            rows.Add(($"{patch.Version} need", patch.State));
            if (patch.SystemLibstdcxxHasIt is bool has) rows.Add(("system libstdc++", has ? $"provides {patch.Version}" : $"lacks {patch.Version} (older than GCC 13)"));
        }
        if (torch.MpsAvailable is bool mps) rows.Add(("Apple GPU (MPS)", mps ? "present, not used by DiffusionTune" : "none"));
        return rows;
    }

    static List<(string, string)> CudaRows(CudaReport report)
    {
        var rows = new List<(string, string)>
        {
            ("available", report.Available ? $"yes, {report.DeviceCount} device(s), cuDNN {(report.CudnnAvailable ? "yes" : "no")}" : "no"),
        };
        if (report.CudaVisibleDevices is not null) rows.Add(("CUDA_VISIBLE_DEVICES", report.CudaVisibleDevices));
        var driver = report.Driver;
        if (driver.DriverVersion is not null) rows.Add(("NVIDIA driver", $"{driver.DriverVersion} (supports CUDA {driver.CudaVersion ?? "?"})"));
        foreach (var gpu in driver.Gpus)
            rows.Add(($"GPU {gpu.Index}", $"{gpu.Name}, {Gibibytes(gpu.TotalBytes)} ({Gibibytes(gpu.FreeBytes)} free), compute capability {gpu.ComputeCapability}"));
        if (driver.Problem is not null) rows.Add(("GPUs", driver.Problem));
        return rows;
    }

    static List<(string, string)> PrecisionRows(IReadOnlyList<PrecisionSupport> precisions) =>
        precisions.Select(p => ($"{p.Device} {p.Precision}", p.Supported
            ? $"supported, {p.Gflops?.ToString("F1", CultureInfo.InvariantCulture)} GFLOP/s{(p.Device == "cpu" && p.Precision == "fp16" ? " (fp16 on the CPU is for testing; use bf16 there)" : "")}"
            : $"unsupported: {p.Problem}")).ToList();

    /// <summary>Per device and precision: all right, or each operation libtorch gets wrong and what DiffusionTune does about it.</summary>
    static List<(string, string)> KernelRows(IReadOnlyList<KernelVerdict> kernels)
    {
        var rows = new List<(string, string)>();
        foreach (var group in kernels.GroupBy(kernel => $"{kernel.Device} {kernel.Precision}"))
        {
            var wrong = group.Where(kernel => !kernel.LibraryRight || !kernel.ProjectRight).ToList();
            rows.Add((group.Key, wrong.Count == 0
                ? $"all {group.Count()} sampled operations right"
                : $"libtorch computes {wrong.Count(kernel => !kernel.LibraryRight)} of {group.Count()} sampled operations wrongly here"));
            foreach (var kernel in wrong)
            {
                rows.Add(("", $"{kernel.Operation} {kernel.Shape}: {kernel.Library}"));
                rows.Add(("", kernel.ProjectRight
                    ? $"  -> right in DiffusionTune ({kernel.Workaround ?? "libtorch's kernel"})"
                    : $"  -> NO WORKAROUND ({kernel.Project}): train and generate refuse {kernel.Precision} on {kernel.Device}"));
            }
        }
        return rows;
    }

    static string Memory(SystemMemory memory)
    {
        var parts = new List<string>();
        if (memory.TotalBytes is long total) parts.Add($"{Gibibytes(total)} total");
        if (memory.AvailableBytes is long available) parts.Add($"{Gibibytes(available)} available");
        parts.Add($"{Gibibytes(memory.ProcessLimitBytes)} usable by this process");
        return string.Join(", ", parts);
    }

    static string Gibibytes(long bytes) => $"{bytes / (double)(1L << 30):F1} GiB";
}

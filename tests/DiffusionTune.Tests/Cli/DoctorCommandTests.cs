using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using DiffusionTune.Cli;
using DiffusionTune.Cli.Commands.Doctor;
using DiffusionTune.Models.Runtime;
using TorchSharp;

namespace DiffusionTune.Tests.Cli;

public class DoctorCommandTests
{
    static readonly string TorchSharpVersion = typeof(torch).Assembly.GetName().Version!.ToString(3);

    [Fact]
    public void The_report_describes_this_cpu_build_and_its_precisions()
    {
        var report = DoctorCommand.Collect();

        Assert.True(report.Torch.Loaded, report.Torch.LoadError);
        Assert.Equal("CPU", report.Torch.Backend);
        Assert.Equal(TorchSharpVersion, report.Torch.TorchSharpVersion);
        Assert.Contains(report.Torch.NativeLibraries, path => Path.GetFileName(path).Contains("LibTorchSharp"));
        Assert.True(report.Torch.IntraOpThreads >= 1);
        Assert.False(report.Cuda.Available);
        Assert.Equal(0, report.Cuda.DeviceCount);
        Assert.True(report.RuntimeWorks);
        Assert.Equal(0, DoctorCommand.Verdict(report));
        Assert.Contains(report.Kernels, kernel => kernel.Precision == "bf16");
        Assert.Empty(report.UnfixedKernels);

        // A kernel wrong even as DiffusionTune computes it is named, with what follows, and fails the verdict.
        var unfixed = report with
        {
            Kernels = [new KernelVerdict("cpu", "bf16", "conv2d 3×3", "64→4 @2×16×16", "output off by 0.39", "output off by 0.39", null)],
        };
        Assert.Equal(1, DoctorCommand.Verdict(unfixed));
        DoctorReportView.Write(unfixed);
        Assert.Contains("\"project\": \"output off by 0.39\"", DoctorCommand.ToJson(unfixed));

        // Only the CPU is probed here, in each dtype; libtorch 2.10's CPU kernels cover fp16 too.
        Assert.Equal(["fp32", "bf16", "fp16"], report.Precisions.Select(p => p.Precision));
        Assert.All(report.Precisions, p =>
        {
            Assert.Equal("cpu", p.Device);
            Assert.True(p.Supported, p.Problem);
            Assert.True(p.Gflops > 0);
        });
        Assert.True(report.Precisions[0].RelativeError < 1e-5, "fp32 against fp32");
        Assert.InRange(report.Precisions[1].RelativeError!.Value, 1e-5, 0.05);

        if (OperatingSystem.IsLinux())
        {
            // The test output's copy of libLibTorchSharp.so went through the build's patch.
            Assert.Equal("weak (patched by the build)", report.Torch.GlibcxxPatch!.State);
            Assert.Equal(TorchRuntimeProbe.PatchedGlibcxxVersion, report.Torch.GlibcxxPatch.Version);
            Assert.True(report.Memory.TotalBytes > 0 && report.Memory.AvailableBytes > 0);
            Assert.Equal($"dotnet add package TorchSharp-cuda-linux --version {TorchSharpVersion}", report.CudaPackage.AddCommand);
        }
        Assert.Matches(@"^\d+\.\d+$", report.CudaPackage.CudaVersion);

        using var json = JsonDocument.Parse(DoctorCommand.ToJson(report));
        Assert.True(json.RootElement.GetProperty("torch").GetProperty("loaded").GetBoolean());
        Assert.True(json.RootElement.GetProperty("runtime_works").GetBoolean());
        Assert.Equal(3, json.RootElement.GetProperty("precisions").GetArrayLength());
    }

    [Fact]
    public void Doctor_is_a_command()
    {
        var doctor = CliApplication.CreateRootCommand().Subcommands.Single(c => c.Name == "doctor");
        Assert.Contains(doctor.Options, o => o.Name == "--json");
    }

    [Fact]
    public void A_runtime_that_does_not_load_is_reported_and_exits_with_an_error()
    {
        var report = new DoctorReport(
            new PlatformReport("Linux", "X64", ".NET 10", "linux-x64", null, 2),
            new TorchRuntimeReport(TorchSharpVersion, "2.10.0", false, "libstdc++.so.6: version `GLIBCXX_3.4.32' not found", "CPU (deployed, not loaded)",
                [], new GlibcxxPatchReport("/app/libLibTorchSharp.so", "GLIBCXX_3.4.32", "required (not patched: the system libstdc++ must provide it)", false), 0, 0, null),
            new CudaReport(false, 0, false, null, new NvidiaDriverInfo(null, null, [], "no NVIDIA driver found")),
            [],
            new SystemMemory(null, null, 1L << 30, "test"),
            CudaPackageAdvice.For(OSPlatform.Linux, Architecture.X64, TorchSharpVersion, "12.8"),
            []);

        Assert.False(report.RuntimeWorks);
        Assert.Equal(1, DoctorCommand.Verdict(report));
        DoctorReportView.Write(report);
        Assert.Contains("GLIBCXX_3.4.32' not found", DoctorCommand.ToJson(report));
    }

    [Theory]
    [InlineData("Windows", Architecture.X64, "TorchSharp-cuda-windows")]
    [InlineData("Linux", Architecture.X64, "TorchSharp-cuda-linux")]
    [InlineData("OSX", Architecture.Arm64, null)]
    [InlineData("Linux", Architecture.Arm64, null)]
    public void The_cuda_package_matches_the_os_and_the_referenced_torchsharp(string os, Architecture architecture, string? package)
    {
        var advice = CudaPackageAdvice.For(OSPlatform.Create(os.ToUpperInvariant()), architecture, "0.107.0", "12.8");
        Assert.Equal(package, advice.Package);
        if (package is null)
        {
            Assert.Null(advice.AddCommand);
            Assert.Contains(os == "OSX" ? "no CUDA build for macOS" : "x64 Windows and Linux only", advice.Note);
        }
        else
        {
            Assert.Equal($"dotnet add package {package} --version 0.107.0", advice.AddCommand);
            Assert.Contains("CUDA 12.8", advice.Note);
            Assert.Contains("TorchSharp-cpu", advice.Note);
        }
    }

    [Fact]
    public void Meminfo_gives_total_and_available_bytes()
    {
        const string text = "MemTotal:       24684096 kB\nMemFree:         1234 kB\nMemAvailable:   22694028 kB\n";
        Assert.Equal((24684096L * 1024, 22694028L * 1024), SystemMemory.ParseMemInfo(text));
        Assert.Equal((null, null), SystemMemory.ParseMemInfo("MemFree: 1 kB\n"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Version_needs_are_read_with_their_weak_flag(bool weak)
    {
        var needs = ElfVersionNeeds.Parse(ElfWithVersionNeeds(weak));
        Assert.Equal(
            [new ElfVersionNeed("libstdc++.so.6", "GLIBCXX_3.4.32", weak), new ElfVersionNeed("libstdc++.so.6", "GLIBCXX_3.4.9", false)],
            needs);
    }

    [Fact]
    public void A_truncated_elf_file_is_invalid_data()
    {
        var elf = ElfWithVersionNeeds(weak: true);
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Parse(elf.AsSpan(0, elf.Length - 100)));
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Parse(Encoding.ASCII.GetBytes(new string('x', 100))));
    }

    /// <summary>
    /// A minimal ELF64 file: a header, a string table, a .gnu.version_r section needing GLIBCXX_3.4.32 (weak or
    /// not) and GLIBCXX_3.4.9 from libstdc++.so.6, and three section headers (null, strings, version needs).
    /// </summary>
    static byte[] ElfWithVersionNeeds(bool weak)
    {
        var strings = Encoding.ASCII.GetBytes("\0libstdc++.so.6\0GLIBCXX_3.4.32\0GLIBCXX_3.4.9\0");
        const int stringsAt = 64, library = 1, first = 16, second = 31;
        int needsAt = stringsAt + strings.Length;
        int headersAt = needsAt + 16 + 2 * 16;
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer);
        writer.Write("\u007fELF"u8);
        writer.Write(new byte[] { 2, 1, 1 });     // 64-bit, little-endian, version 1
        writer.Write(new byte[0x28 - 7]);
        writer.Write((ulong)headersAt);               // e_shoff
        writer.Write(new byte[0x3A - 0x30]);
        writer.Write((ushort)64);                     // e_shentsize
        writer.Write((ushort)3);                      // e_shnum
        writer.Write(new byte[64 - 0x3E]);
        writer.Write(strings);
        // Verneed: version 1, two Vernaux, the library's name, Vernaux right after it, no next Verneed.
        writer.Write((ushort)1); writer.Write((ushort)2); writer.Write(library); writer.Write(16); writer.Write(0);
        // Vernaux: hash, flags, other, name, offset of the next.
        writer.Write(0); writer.Write((ushort)(weak ? 2 : 0)); writer.Write((ushort)2); writer.Write(first); writer.Write(16);
        writer.Write(0); writer.Write((ushort)0); writer.Write((ushort)3); writer.Write(second); writer.Write(0);
        void SectionHeader(uint type, int offset, int size, uint link, uint info)
        {
            writer.Write(0); writer.Write(type); writer.Write(0UL); writer.Write(0UL);
            writer.Write((ulong)offset); writer.Write((ulong)size); writer.Write(link); writer.Write(info); writer.Write(0UL); writer.Write(0UL);
        }
        SectionHeader(0, 0, 0, 0, 0);
        SectionHeader(3, stringsAt, strings.Length, 0, 0);
        SectionHeader(0x6ffffffe, needsAt, 48, 1, 1);
        return buffer.ToArray();
    }
}

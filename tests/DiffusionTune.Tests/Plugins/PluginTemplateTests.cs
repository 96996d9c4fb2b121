using System.Reflection;
using DiffusionTune.Contracts;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Tests.Cli;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Plugins;

/// <summary>
/// A plugin author's path outside the repository: the contract packed into a local feed, the trainer template
/// installed and instantiated in a folder no Directory.Build file reaches, built against the package alone, installed
/// into a plugins folder, discovered and trained by the CLI.
/// </summary>
public class PluginTemplateTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void The_trainer_template_builds_outside_the_repository_against_the_packed_contract_and_trains()
    {
        using var scratch = new ScratchFolder();
        Assert.False(scratch.Path.StartsWith(TestPaths.RepoRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal),
            $"the temporary folder {scratch.Path} is inside the repository, whose Directory.Build files would reach the plugin");
        var configuration = typeof(PluginTemplateTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var feed = scratch.File("feed");
        var hive = scratch.File("template-hive");
        var project = scratch.File("CrossAttnTrainer");

        Succeeded(CliProcess.Sdk(["pack", Path.Combine(TestPaths.RepoRoot, "src", "DiffusionTune.Contracts"), "-c", configuration, "--no-build", "-o", feed],
            scratch.Path, Timeout));
        // The package's version is the contract's.
        Assert.True(File.Exists(Path.Combine(feed, $"DiffusionTune.Contracts.{ContractVersion.Major}.{ContractVersion.Minor}.0.nupkg")),
            string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName)));
        Succeeded(CliProcess.Sdk(["new", "install", Path.Combine(TestPaths.RepoRoot, "templates", "TrainerPlugin"), "--debug:custom-hive", hive], scratch.Path, Timeout));
        Succeeded(CliProcess.Sdk(["new", "diffusiontune-trainer", "-n", "CrossAttnTrainer", "-o", project, "--debug:custom-hive", hive], scratch.Path, Timeout));
        WriteNuGetConfig(scratch, feed);
        Succeeded(CliProcess.Sdk(["build", project, "-c", "Release"], scratch.Path, Timeout));

        // Built as the host finds plugins, with neither the contract nor TorchSharp copied (the host provides both).
        var built = Path.Combine(project, "bin", "plugins", "CrossAttnTrainer");
        Assert.True(File.Exists(Path.Combine(built, "CrossAttnTrainer.dll")), string.Join(", ", Directory.GetFiles(project, "*", SearchOption.AllDirectories)));
        Assert.DoesNotContain(Directory.GetFiles(built), f => Path.GetFileName(f) is "DiffusionTune.Contracts.dll" or "TorchSharp.dll");
        var pluginRoot = scratch.File("plugins");
        PluginCatalogTests.CopyPlugin(built, Path.Combine(pluginRoot, "CrossAttnTrainer"), skip: null);

        var list = CliProcess.Run(["plugins", "list", "--plugins-folder", pluginRoot], scratch.Path, Timeout);
        Succeeded(list);
        Assert.Contains($"cross-attn-trainer 1.0.0 (contract {ContractVersion.Current})", list.Unwrapped);
        Assert.DoesNotContain("failed:", list.Output);

        var output = scratch.File("out");
        Succeeded(CliProcess.Run(["train", "--trainer", "cross-attn-trainer", "--plugins-folder", pluginRoot, "--images", QuickStart.SampleImages,
            "--instance-prompt", "a sks star", "--steps", "2", "--output", output, "--damage-report", "off", "--device", "cpu"], scratch.Path, Timeout));
        using var result = SafetensorsFile.Open(Path.Combine(output, "cross-attn-trainer.safetensors"));
        var ups = result.Names.Where(n => n.EndsWith(".lora_up.weight", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ups);
        Assert.All(ups, name => Assert.Matches(@"_attn2_to_[kv]\.lora_up\.weight$", name));
        // The up projections start at zero: two steps moved them.
        Assert.Contains(ups, name => { using var up = result.Load(name); return up.abs().max().item<float>() > 0; });
    }

    static void Succeeded(CliProcess.Result result) => Assert.False(result.Failed, result.Tail(30));

    /// <summary>
    /// The packed contract from <paramref name="feed"/> only (a stale copy elsewhere must not stand in for it),
    /// everything else from this machine's package cache or nuget.org, into a package folder of the test's own.
    /// </summary>
    static void WriteNuGetConfig(ScratchFolder scratch, string feed)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(scratch.File("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{scratch.File("packages")}" /></config>
              <packageSources>
                <clear />
                <add key="contract" value="{feed}" />
                <add key="cache" value="{cache}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="contract"><package pattern="DiffusionTune.Contracts" /></packageSource>
                <packageSource key="cache"><package pattern="*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
    }
}

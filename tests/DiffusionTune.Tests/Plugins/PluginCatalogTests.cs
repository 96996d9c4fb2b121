using DiffusionTune.Contracts;
using DiffusionTune.Training.Plugins;

namespace DiffusionTune.Tests.Plugins;

public class PluginCatalogTests
{
    [Fact]
    public void The_built_in_trainers_load_from_the_plugins_folder()
    {
        var catalog = PluginCatalog.Load([Path.Combine(AppContext.BaseDirectory, "plugins")]);
        Assert.Empty(catalog.Failures);
        Assert.Equal(["dreambooth", "hypernetwork", "lora", "textual-inversion"], catalog.Trainers.Select(t => t.Info.Name).Order().ToArray());
        var lora = catalog.Find("LoRA");
        Assert.Contains(lora.Info.Options, o => o.Name == "rank" && o.Kind == TrainerOptionKind.Integer);
        Assert.Equal(ContractVersion.Current, lora.Info.ContractVersion);
        // The plugin shares the host's contract and TorchSharp types (one load context for them).
        Assert.Same(typeof(ITrainer).Assembly, lora.Trainer.GetType().GetInterfaces().Single(i => i.Name == nameof(ITrainer)).Assembly);
    }

    [Fact]
    public void Broken_plugins_are_named_with_their_reason_and_the_others_still_load()
    {
        var root = TestPaths.TempFolder();
        foreach (var name in new[] { "ThrowingTrainer", "FutureContractTrainer", "MissingDependencyTrainer" })
            CopyPlugin(Path.Combine(AppContext.BaseDirectory, "test-plugins", name), Path.Combine(root, name), skip: "PluginDependency");
        CopyPlugin(Path.Combine(AppContext.BaseDirectory, "plugins", "Lora"), Path.Combine(root, "Lora"), skip: null);
        Directory.CreateDirectory(Path.Combine(root, "Empty"));

        var catalog = PluginCatalog.Load([root]);

        Assert.Equal(["lora"], catalog.Trainers.Select(t => t.Info.Name).ToArray());
        string Reason(string plugin) => Assert.Single(catalog.Failures, f => Path.GetFileName(f.Folder) == plugin).Reason;
        Assert.Contains("constructor threw: no licence key found", Reason("ThrowingTrainer"));
        Assert.Contains("contract 2.0", Reason("FutureContractTrainer"));
        Assert.Contains("PluginDependency", Reason("MissingDependencyTrainer"));
        Assert.Contains("no Empty.dll", Reason("Empty"));
    }

    [Fact]
    public void A_trainer_with_a_null_or_nameless_info_or_a_failing_static_constructor_is_skipped_with_its_reason()
    {
        var root = TestPaths.TempFolder();
        CopyPlugin(Path.Combine(AppContext.BaseDirectory, "test-plugins", "BrokenInfoTrainer"), Path.Combine(root, "BrokenInfoTrainer"), skip: null);
        CopyPlugin(Path.Combine(AppContext.BaseDirectory, "plugins", "Lora"), Path.Combine(root, "Lora"), skip: null);

        var catalog = PluginCatalog.Load([root]);

        Assert.Equal(["lora"], catalog.Trainers.Select(t => t.Info.Name).ToArray());
        Assert.All(catalog.Failures, f => Assert.Equal(Path.Combine(root, "BrokenInfoTrainer"), f.Folder));
        Assert.Equal(
        [
            "BrokenInfoTrainer.EmptyNameTrainer.Info names the trainer ''; a name is lower-case letters, digits and hyphens, and not empty",
            "BrokenInfoTrainer.NullInfoTrainer.Info is null",
            "BrokenInfoTrainer.StaticConstructorTrainer's constructor threw: licence server unreachable",
        ], catalog.Failures.Select(f => f.Reason).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Asking_for_an_unknown_trainer_lists_the_known_ones()
    {
        var catalog = PluginCatalog.Load([Path.Combine(AppContext.BaseDirectory, "plugins")]);
        var error = Assert.Throws<ArgumentException>(() => catalog.Find("stylegan"));
        Assert.Contains("dreambooth, hypernetwork, lora, textual-inversion", error.Message);
    }

    internal static void CopyPlugin(string from, string to, string? skip)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            if (skip is not null && Path.GetFileName(file).StartsWith(skip, StringComparison.Ordinal)) continue;
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}

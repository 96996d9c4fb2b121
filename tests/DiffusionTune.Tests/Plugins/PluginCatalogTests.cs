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
    public void Wrong_installs_are_reported_with_the_layout_that_was_expected()
    {
        using var scratch = new ScratchFolder();
        var root = scratch.File("plugins");
        var built = Path.Combine(AppContext.BaseDirectory, "test-plugins", "FailingTrainer");
        // The build output copied flat into the root, into a folder named otherwise, and as a whole project folder.
        CopyPlugin(built, root, skip: null);
        CopyPlugin(built, Path.Combine(root, "Failing"), skip: null);
        CopyPlugin(built, Path.Combine(root, "FailingTrainerProject", "bin", "Release", "net10.0"), skip: null);
        File.Move(Path.Combine(root, "FailingTrainerProject", "bin", "Release", "net10.0", "FailingTrainer.dll"),
            Path.Combine(root, "FailingTrainerProject", "bin", "Release", "net10.0", "FailingTrainerProject.dll"));
        var missing = scratch.File("no-such-folder");

        var catalog = PluginCatalog.Load([missing, root]);

        Assert.Empty(catalog.Trainers);
        Assert.Equal(
        [
            $"plugins folder {missing} does not exist; expected a folder holding one folder per plugin (<Name>/<Name>.dll)",
            $"{Path.Combine(root, "FailingTrainer.dll")} lies directly in the plugins folder and is not loaded; expected each plugin " +
            $"in a folder of its own named after its DLL: {Path.Combine(root, "FailingTrainer", "FailingTrainer.dll")}, with its dependencies",
        ], catalog.InstallProblems.Select(p => p.Message));
        Assert.Equal(
        [
            $"no Failing.dll in the folder, which holds FailingTrainer.dll; expected the folder to be named after its plugin's DLL: " +
            Path.Combine(root, "FailingTrainer", "FailingTrainer.dll"),
            $"no FailingTrainerProject.dll in the folder, but there is one in {Path.Combine("bin", "Release", "net10.0")}{Path.DirectorySeparatorChar}; " +
            $"expected the build output itself in the folder: copy what {Path.Combine("bin", "Release", "net10.0")}{Path.DirectorySeparatorChar} holds " +
            $"into {Path.Combine(root, "FailingTrainerProject")}",
        ], catalog.Failures.Select(f => f.Reason));
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

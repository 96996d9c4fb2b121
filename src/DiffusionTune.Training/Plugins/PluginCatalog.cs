using System.Reflection;
using DiffusionTune.Contracts;
using McMaster.NETCore.Plugins;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Plugins;

/// <summary>A trainer found in a plugin, ready to run.</summary>
/// <param name="Trainer">The trainer instance.</param>
/// <param name="Folder">The plugin folder it came from.</param>
public sealed record LoadedTrainer(ITrainer Trainer, string Folder)
{
    public TrainerInfo Info => Trainer.Info;
}

/// <summary>A plugin that could not be loaded, and why (shown by <c>plugins list</c>; the other plugins still load).</summary>
public sealed record PluginFailure(string Folder, string Reason);

/// <summary>
/// Finds trainer plugins: every sub-folder <c>&lt;Name&gt;/</c> of a plugin root that holds <c>&lt;Name&gt;.dll</c>.
/// Each plugin is loaded into its own load context with McMaster.NETCore.Plugins, sharing the contract and TorchSharp
/// with the host (so tensors and modules are the same types, and libtorch is loaded once). A plugin that fails to load
/// (missing dependency, contract version the host cannot run, a constructor that throws, no trainer inside) is reported
/// by name and skipped.
/// </summary>
public sealed class PluginCatalog
{
    readonly List<LoadedTrainer> _trainers = [];
    readonly List<PluginFailure> _failures = [];

    PluginCatalog() { }

    public IReadOnlyList<LoadedTrainer> Trainers => _trainers;

    public IReadOnlyList<PluginFailure> Failures => _failures;

    /// <summary>The folders searched by default: <c>plugins/</c> next to the executable, then the user's plugin folder.</summary>
    public static IReadOnlyList<string> DefaultRoots() =>
    [
        Path.Combine(AppContext.BaseDirectory, "plugins"),
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "diffusiontune", "plugins"),
    ];

    /// <summary>Loads every plugin under <paramref name="roots"/> (missing roots are skipped).</summary>
    public static PluginCatalog Load(IEnumerable<string> roots)
    {
        var catalog = new PluginCatalog();
        foreach (var root in roots.Where(Directory.Exists))
        {
            foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
                catalog.LoadFolder(folder);
        }
        return catalog;
    }

    /// <summary>The trainer named <paramref name="name"/>, or an error listing the available ones.</summary>
    public LoadedTrainer Find(string name) =>
        _trainers.FirstOrDefault(t => string.Equals(t.Info.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException(_trainers.Count == 0
            ? $"no trainer named '{name}': no trainer plugins were found"
            : $"no trainer named '{name}' (available: {string.Join(", ", _trainers.Select(t => t.Info.Name))})");

    void LoadFolder(string folder)
    {
        var name = Path.GetFileName(folder);
        var assemblyPath = Path.Combine(folder, name + ".dll");
        if (!File.Exists(assemblyPath))
        {
            _failures.Add(new PluginFailure(folder, $"no {name}.dll in the folder (a plugin folder holds <Name>/<Name>.dll and its dependencies)"));
            return;
        }
        try
        {
            var loader = PluginLoader.CreateFromAssemblyFile(assemblyPath,
                sharedTypes: [typeof(ITrainer), typeof(Tensor)],
                configure: config => config.PreferSharedTypes = true);
            var assembly = loader.LoadDefaultAssembly();
            var types = TrainerTypes(assembly);
            if (types.Count == 0)
            {
                _failures.Add(new PluginFailure(folder, $"{name}.dll contains no public class implementing {nameof(ITrainer)}"));
                return;
            }
            foreach (var type in types) Add(type, folder);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or ReflectionTypeLoadException or TypeLoadException)
        {
            _failures.Add(new PluginFailure(folder, $"could not be loaded: {Describe(e)}"));
        }
    }

    static List<Type> TrainerTypes(Assembly assembly) =>
        assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ITrainer).IsAssignableFrom(t)).ToList();

    void Add(Type type, string folder)
    {
        ITrainer trainer;
        try
        {
            trainer = (ITrainer)(Activator.CreateInstance(type)
                ?? throw new InvalidOperationException($"{type.FullName} could not be created"));
        }
        catch (TargetInvocationException e)
        {
            _failures.Add(new PluginFailure(folder, $"{type.FullName}'s constructor threw: {Describe(e.InnerException ?? e)}"));
            return;
        }
        catch (MissingMethodException)
        {
            _failures.Add(new PluginFailure(folder, $"{type.FullName} has no public parameterless constructor"));
            return;
        }
        TrainerInfo info;
        try
        {
            info = trainer.Info;
        }
        catch (Exception e)
        {
            _failures.Add(new PluginFailure(folder, $"{type.FullName}.Info threw: {Describe(e)}"));
            return;
        }
        if (!ContractVersion.CanLoad(info.ContractVersion))
        {
            _failures.Add(new PluginFailure(folder,
                $"trainer '{info.Name}' was built against contract {info.ContractVersion}, and this host runs contract {ContractVersion.Current} " +
                "(same major version and a minor version no newer than the host's are required); rebuild the plugin against this version"));
            return;
        }
        if (_trainers.Any(t => string.Equals(t.Info.Name, info.Name, StringComparison.OrdinalIgnoreCase)))
        {
            _failures.Add(new PluginFailure(folder, $"trainer name '{info.Name}' is already taken by another plugin"));
            return;
        }
        _trainers.Add(new LoadedTrainer(trainer, folder));
    }

    static string Describe(Exception e) => e switch
    {
        FileNotFoundException missing => $"a dependency is missing ({missing.FileName ?? missing.Message})",
        ReflectionTypeLoadException load => string.Join("; ", load.LoaderExceptions.Where(x => x is not null).Select(x => x!.Message).Distinct()),
        _ => e.Message,
    };
}

using System.Reflection;
using DiffusionTune.Contracts;
using McMaster.NETCore.Plugins;
using static TorchSharp.torch;

namespace DiffusionTune.Training.Plugins;

/// <summary>A trainer found in a plugin, ready to run.</summary>
/// <param name="Trainer">The trainer instance.</param>
/// <param name="Info">What the trainer declared when it was loaded (read once and checked, so a plugin cannot change it later).</param>
/// <param name="Folder">The plugin folder it came from.</param>
public sealed record LoadedTrainer(ITrainer Trainer, TrainerInfo Info, string Folder);

/// <summary>A plugin that could not be loaded, and why (shown by <c>plugins list</c>; the other plugins still load).</summary>
public sealed record PluginFailure(string Folder, string Reason);

/// <summary>
/// Finds trainer plugins: every sub-folder <c>&lt;Name&gt;/</c> of a plugin root that holds <c>&lt;Name&gt;.dll</c>.
/// Each plugin is loaded into its own load context with McMaster.NETCore.Plugins, sharing the contract and TorchSharp
/// with the host (so tensors and modules are the same types, and libtorch is loaded once). A plugin that fails to load
/// (missing dependency, contract version the host cannot run, a constructor or static constructor that throws, no
/// trainer inside, an <see cref="ITrainer.Info"/> that throws, is null or breaks its rules) is reported by name and
/// skipped: a broken plugin never stops the others or the host.
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

    /// <summary>
    /// Loads every plugin under <paramref name="roots"/> (missing roots are skipped; relative ones are resolved against
    /// the current directory, since the plugin loader takes absolute paths only).
    /// </summary>
    public static PluginCatalog Load(IEnumerable<string> roots)
    {
        var catalog = new PluginCatalog();
        foreach (var root in roots.Select(Path.GetFullPath).Where(Directory.Exists))
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
        catch (Exception e)
        {
            // Whatever a plugin's assembly does wrong while it is loaded and searched, it is that plugin's failure alone.
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
        catch (MissingMethodException)
        {
            _failures.Add(new PluginFailure(folder, $"{type.FullName} has no public parameterless constructor"));
            return;
        }
        catch (Exception e)
        {
            _failures.Add(new PluginFailure(folder, $"{type.FullName}'s constructor threw: {Describe(e)}"));
            return;
        }
        TrainerInfo? info;
        try
        {
            info = trainer.Info;
        }
        catch (Exception e)
        {
            _failures.Add(new PluginFailure(folder, $"{type.FullName}.Info threw: {Describe(e)}"));
            return;
        }
        if (InfoProblem(info) is { } problem)
        {
            _failures.Add(new PluginFailure(folder, $"{type.FullName}.Info {problem}"));
            return;
        }
        if (!ContractVersion.CanLoad(info!.ContractVersion))
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
        _trainers.Add(new LoadedTrainer(trainer, info, folder));
    }

    /// <summary>What breaks <see cref="TrainerInfo"/>'s rules (the host shows and relies on every part), or null.</summary>
    static string? InfoProblem(TrainerInfo? info)
    {
        if (info is null) return "is null";
        if (string.IsNullOrEmpty(info.Name) || !info.Name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            return $"names the trainer '{info.Name}'; a name is lower-case letters, digits and hyphens, and not empty";
        if (info.Description is null || info.Version is null || info.ContractVersion is null || info.Produces is null || info.Options is null)
            return $"of trainer '{info.Name}' leaves Description, Version, ContractVersion, Produces or Options null";
        if (info.Options.Any(o => o is null || string.IsNullOrEmpty(o.Name) || o.Help is null || o.Choices is null))
            return $"of trainer '{info.Name}' has an option that is null, unnamed, or without help text or choices";
        return null;
    }

    /// <summary>
    /// The reason a plugin failed, as one line: the innermost exception behind reflection's and the type
    /// initializer's wrappers (whose own messages say nothing).
    /// </summary>
    public static string Describe(Exception e)
    {
        while (e is TargetInvocationException or TypeInitializationException && e.InnerException is not null) e = e.InnerException;
        return e switch
        {
            FileNotFoundException missing => $"a dependency is missing ({missing.FileName ?? missing.Message})",
            ReflectionTypeLoadException load => string.Join("; ", load.LoaderExceptions.Where(x => x is not null).Select(x => x!.Message).Distinct()),
            _ => e.Message,
        };
    }
}

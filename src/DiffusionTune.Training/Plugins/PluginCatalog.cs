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

/// <summary>An adapter format found in a plugin (<see cref="IAdapterFormat"/>).</summary>
/// <param name="Format">The format instance.</param>
/// <param name="Name">Its name, read once and checked when it was loaded.</param>
/// <param name="Folder">The plugin folder it came from.</param>
public sealed record LoadedAdapterFormat(IAdapterFormat Format, string Name, string Folder);

/// <summary>A plugin that could not be loaded, and why (shown by <c>plugins list</c>; the other plugins still load).</summary>
public sealed record PluginFailure(string Folder, string Reason);

/// <summary>
/// Something in a plugin root that is not a plugin as installed (a root that does not exist, a DLL lying directly in a
/// root): nothing was loaded from it, and <see cref="Message"/> says what was expected instead.
/// </summary>
public sealed record PluginInstallProblem(string Path, string Message);

/// <summary>
/// Finds trainer plugins (their trainers and adapter formats): every sub-folder <c>&lt;Name&gt;/</c> of a plugin root that holds <c>&lt;Name&gt;.dll</c>.
/// What looks like a wrong install (a root that does not exist, a DLL directly in a root, a folder not named after its
/// DLL, a build output one level too deep) is reported with the layout that was expected.
/// Each plugin is loaded into its own load context with McMaster.NETCore.Plugins, sharing the contract and TorchSharp
/// with the host (so tensors and modules are the same types, and libtorch is loaded once). A plugin that fails to load
/// (missing dependency, contract version the host cannot run, a constructor or static constructor that throws, no
/// trainer inside, an <see cref="ITrainer.Info"/> that throws, is null or breaks its rules) is reported by name and
/// skipped: a broken plugin never stops the others or the host.
/// </summary>
public sealed class PluginCatalog
{
    readonly List<LoadedTrainer> _trainers = [];
    readonly List<LoadedAdapterFormat> _adapterFormats = [];
    readonly List<PluginFailure> _failures = [];
    readonly List<PluginInstallProblem> _installProblems = [];

    PluginCatalog() { }

    public IReadOnlyList<LoadedTrainer> Trainers => _trainers;

    /// <summary>The adapter formats the plugins export, which <c>--adapter</c> files name in their metadata.</summary>
    public IReadOnlyList<LoadedAdapterFormat> AdapterFormats => _adapterFormats;

    public IReadOnlyList<PluginFailure> Failures => _failures;

    /// <summary>Roots that do not exist and DLLs lying directly in a root, each with what was expected.</summary>
    public IReadOnlyList<PluginInstallProblem> InstallProblems => _installProblems;

    /// <summary>The folders searched by default: <c>plugins/</c> next to the executable, then the user's plugin folder.</summary>
    public static IReadOnlyList<string> DefaultRoots() =>
    [
        Path.Combine(AppContext.BaseDirectory, "plugins"),
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "diffusiontune", "plugins"),
    ];

    /// <summary>
    /// Loads every plugin under <paramref name="roots"/> (relative ones are resolved against the current directory,
    /// since the plugin loader takes absolute paths only). A root that does not exist is an install problem: pass only
    /// the default roots that exist.
    /// </summary>
    public static PluginCatalog Load(IEnumerable<string> roots)
    {
        var catalog = new PluginCatalog();
        foreach (var root in roots.Select(Path.GetFullPath))
        {
            if (!Directory.Exists(root))
            {
                catalog._installProblems.Add(new PluginInstallProblem(root,
                    $"plugins folder {root} does not exist; expected a folder holding one folder per plugin (<Name>/<Name>.dll)"));
                continue;
            }
            foreach (var dll in Directory.EnumerateFiles(root, "*.dll").Order(StringComparer.Ordinal))
            {
                catalog._installProblems.Add(new PluginInstallProblem(dll,
                    $"{dll} lies directly in the plugins folder and is not loaded; expected each plugin in a folder of its own named " +
                    $"after its DLL: {Path.Combine(root, Path.GetFileNameWithoutExtension(dll), Path.GetFileName(dll))}, with its dependencies"));
            }
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

    /// <summary>
    /// The adapter format named <paramref name="name"/> for the adapter file <paramref name="path"/>, or an error naming
    /// the file and the formats installed.
    /// </summary>
    public LoadedAdapterFormat FindAdapterFormat(string name, string path) =>
        _adapterFormats.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"{path}: adapter format '{name}' is not provided by any installed plugin (" + (_adapterFormats.Count == 0
            ? "no plugin provides an adapter format; install the plugin that wrote the file, or name its folder with --plugins-folder)"
            : $"installed formats: {string.Join(", ", _adapterFormats.Select(f => f.Name))})"));

    void LoadFolder(string folder)
    {
        var name = Path.GetFileName(folder);
        var assemblyPath = Path.Combine(folder, name + ".dll");
        if (!File.Exists(assemblyPath))
        {
            _failures.Add(new PluginFailure(folder, MissingAssemblyReason(folder, name)));
            return;
        }
        try
        {
            var loader = PluginLoader.CreateFromAssemblyFile(assemblyPath,
                sharedTypes: [typeof(ITrainer), typeof(Tensor)],
                configure: config => config.PreferSharedTypes = true);
            var assembly = loader.LoadDefaultAssembly();
            var types = PublicImplementations<ITrainer>(assembly);
            var formatTypes = PublicImplementations<IAdapterFormat>(assembly);
            if (types.Count == 0 && formatTypes.Count == 0)
            {
                _failures.Add(new PluginFailure(folder, $"{name}.dll contains no public class implementing {nameof(ITrainer)} or {nameof(IAdapterFormat)}"));
                return;
            }
            foreach (var type in types) Add(type, folder);
            foreach (var type in formatTypes) AddAdapterFormat(type, folder);
        }
        catch (Exception e)
        {
            // Whatever a plugin's assembly does wrong while it is loaded and searched, it is that plugin's failure alone.
            _failures.Add(new PluginFailure(folder, $"could not be loaded: {Describe(e)}"));
        }
    }

    /// <summary>Why <paramref name="folder"/> holds no <c>&lt;Name&gt;.dll</c>, and the layout that was expected.</summary>
    static string MissingAssemblyReason(string folder, string name)
    {
        var missing = $"no {name}.dll in the folder";
        var dlls = Directory.GetFiles(folder, "*.dll").Select(file => Path.GetFileName(file)).Order(StringComparer.Ordinal).ToList();
        if (dlls.Count > 0)
        {
            // A plugin's build output has a .deps.json beside its own DLL (dynamic loading on), none beside its dependencies'.
            var built = dlls.Where(dll => File.Exists(Path.Combine(folder, Path.ChangeExtension(dll, ".deps.json")))).ToList();
            var plugin = built.Count == 1 ? built[0] : dlls.Count == 1 ? dlls[0] : null;
            var parent = Path.GetDirectoryName(folder)!;
            return plugin is not null
                ? $"{missing}, which holds {plugin}; expected the folder to be named after its plugin's DLL: {Path.Combine(parent, Path.GetFileNameWithoutExtension(plugin), plugin)}"
                : $"{missing}, which holds {string.Join(", ", dlls)}; expected the folder to be named after its plugin's DLL (<Name>/<Name>.dll)";
        }
        // A whole project folder copied in: the DLL is in its build output, bin/<Configuration>/<framework>/.
        var nested = Directory.EnumerateFiles(folder, name + ".dll", SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault();
        if (nested is not null)
        {
            var output = Path.GetRelativePath(folder, Path.GetDirectoryName(nested)!);
            return $"{missing}, but there is one in {output}{Path.DirectorySeparatorChar}; expected the build output itself in the folder: " +
                $"copy what {output}{Path.DirectorySeparatorChar} holds into {folder}";
        }
        return $"{missing}, nor any other DLL; expected {Path.Combine(folder, name + ".dll")} and its dependencies";
    }

    static List<Type> PublicImplementations<T>(Assembly assembly) =>
        assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(T).IsAssignableFrom(t)).ToList();

    void AddAdapterFormat(Type type, string folder)
    {
        IAdapterFormat format;
        string? name;
        try
        {
            format = (IAdapterFormat)Activator.CreateInstance(type)!;
            name = format.Name;
        }
        catch (Exception e)
        {
            _failures.Add(new PluginFailure(folder, $"adapter format {type.FullName} could not be created: {Describe(e)}"));
            return;
        }
        if (string.IsNullOrEmpty(name) || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.'))
        {
            _failures.Add(new PluginFailure(folder, $"{type.FullName}.Name is '{name}'; a format name is lower-case letters, digits, hyphens and dots, and not empty"));
            return;
        }
        if (_adapterFormats.Any(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            _failures.Add(new PluginFailure(folder, $"adapter format name '{name}' is already taken by another plugin"));
            return;
        }
        _adapterFormats.Add(new LoadedAdapterFormat(format, name, folder));
    }

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

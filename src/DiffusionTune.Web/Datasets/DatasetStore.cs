namespace DiffusionTune.Web.Datasets;

/// <summary>
/// The managed datasets: folders under <c>STATE/datasets/</c> that the UI creates, uploads into and edits captions in.
/// Their names are restricted to letters, digits, '-' and '_' so a name is always one plain folder.
/// </summary>
public sealed class DatasetStore(string stateFolder)
{
    /// <summary>The folder holding every managed dataset.</summary>
    public string Folder { get; } = Path.Combine(Path.GetFullPath(stateFolder), "datasets");

    /// <summary>The managed datasets' names, sorted.</summary>
    public IReadOnlyList<string> Names =>
        Directory.Exists(Folder) ? [.. Directory.EnumerateDirectories(Folder).Select(Path.GetFileName).OfType<string>().Where(IsValidName).Order(StringComparer.Ordinal)] : [];

    /// <summary>Whether <paramref name="name"/> can name a managed dataset.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') && name[0] != '-';

    /// <summary>The folder of the existing dataset <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such dataset.</exception>
    public string FolderOf(string name)
    {
        var folder = Path.Combine(Folder, name);
        if (!IsValidName(name) || !Directory.Exists(folder))
            throw new KeyNotFoundException($"there is no dataset '{name}'");
        return folder;
    }

    /// <summary>Creates the dataset <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not allowed or taken.</exception>
    public string Create(string name)
    {
        name = name.Trim();
        if (!IsValidName(name))
            throw new ArgumentException($"'{name}' cannot name a dataset: use 1 to 64 letters, digits, '-' or '_' (not starting with '-')");
        var folder = Path.Combine(Folder, name);
        if (Directory.Exists(folder))
            throw new ArgumentException($"a dataset named '{name}' exists already");
        Directory.CreateDirectory(folder);
        return folder;
    }
}

namespace DiffusionTune.Web.Safety;

/// <summary>A folder the UI may read and list, named in URLs by <see cref="Name"/> rather than by its path.</summary>
/// <param name="Name">The short unique name URLs use (<c>outputs</c>, <c>samples</c>).</param>
/// <param name="FullPath">The folder's canonical path, symbolic links resolved.</param>
public sealed record RootFolder(string Name, string FullPath);

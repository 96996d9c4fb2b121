using DiffusionTune.Web.Safety;

namespace DiffusionTune.Web.JobKinds;

/// <summary>A file or folder as job settings name it: a root's name and a path relative to it, never a path of its own.</summary>
/// <param name="Root">The root's name (<c>outputs</c>, <c>models</c>).</param>
/// <param name="Path">The path inside the root, with '/'.</param>
public sealed record RootedFile(string Root, string Path)
{
    /// <summary>The existing file or folder this names, through <paramref name="roots"/> (links resolved, nothing outside a root).</summary>
    /// <param name="field">The setting it came from, for messages (<c>loras</c>).</param>
    /// <exception cref="PathOutsideRootException">It leads outside its root, or there is no such root.</exception>
    /// <exception cref="ArgumentException">It holds a wildcard, or nothing is there.</exception>
    public string Resolve(RootedPaths roots, string field)
    {
        // Wildcards would let the workflows expand a pattern after the path was checked.
        if (Path.IndexOfAny(['*', '?']) >= 0) throw new ArgumentException($"{field}: '{Root}/{Path}' holds a wildcard; name one file or folder");
        string full;
        try
        {
            full = roots.Resolve(Root, Path);
        }
        catch (PathOutsideRootException e)
        {
            throw new PathOutsideRootException($"{field}: {e.Message}");
        }
        if (!File.Exists(full) && !Directory.Exists(full)) throw new ArgumentException($"{field}: '{Root}/{Path}' not found");
        return full;
    }
}

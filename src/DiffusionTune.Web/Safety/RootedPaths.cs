namespace DiffusionTune.Web.Safety;

/// <summary>
/// The only way a request turns into a file path: a root's name plus a path relative to it. Everything else is
/// refused: <c>..</c> segments, absolute paths and drive letters, NUL and control characters, and symbolic links
/// (anywhere along the path) whose targets lie outside the root. Paths are decoded once, by ASP.NET Core, and never
/// again, so an encoded <c>%2e%2e</c> arrives as a literal name or as <c>..</c> and is refused as such.
/// </summary>
public sealed class RootedPaths
{
    readonly Dictionary<string, RootFolder> _roots;

    /// <param name="folders">The configured folders; missing ones are kept (they may appear later) under unique names.</param>
    public RootedPaths(IEnumerable<string> folders)
    {
        _roots = new(StringComparer.Ordinal);
        var list = new List<RootFolder>();
        foreach (var folder in folders)
        {
            var full = RealPath(Path.GetFullPath(folder));
            if (list.Any(r => r.FullPath == full)) continue;
            var baseName = Sanitize(Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)));
            var name = baseName;
            for (int i = 2; _roots.ContainsKey(name); i++) name = $"{baseName}-{i}";
            var root = new RootFolder(name, full);
            _roots[name] = root;
            list.Add(root);
        }
        Roots = list;
    }

    /// <summary>The roots, in the order they were configured.</summary>
    public IReadOnlyList<RootFolder> Roots { get; }

    /// <summary>The root named <paramref name="name"/>.</summary>
    /// <exception cref="PathOutsideRootException">No root has that name.</exception>
    public RootFolder Root(string? name) =>
        name is not null && _roots.TryGetValue(name, out var root) ? root : throw new PathOutsideRootException($"there is no root folder named '{name}'");

    /// <summary>
    /// The canonical path of <paramref name="relative"/> inside the root <paramref name="rootName"/>, links resolved.
    /// The file need not exist.
    /// </summary>
    /// <exception cref="PathOutsideRootException">The path is not a plain relative path inside the root.</exception>
    public string Resolve(string? rootName, string? relative)
    {
        var root = Root(rootName);
        var segments = Segments(relative);
        var current = root.FullPath;
        foreach (var segment in segments)
        {
            current = Path.Combine(current, segment);
            // A link is followed to its final target, which must itself lie inside the root.
            current = RealPath(current);
            if (!IsInside(current, root.FullPath))
                throw new PathOutsideRootException($"'{relative}' leads outside the root folder '{root.Name}'");
        }
        return current;
    }

    /// <summary>The path of <paramref name="fullPath"/> relative to <paramref name="root"/>, with forward slashes, as URLs carry it.</summary>
    public static string Relative(RootFolder root, string fullPath)
    {
        var relative = Path.GetRelativePath(root.FullPath, fullPath).Replace(Path.DirectorySeparatorChar, '/');
        return relative == "." ? "" : relative;
    }

    /// <summary>
    /// Whether <paramref name="fullPath"/> (already canonical) lies inside <paramref name="root"/> after resolving links;
    /// a broken or looping link along it leads nowhere, so not inside.
    /// </summary>
    public static bool Contains(RootFolder root, string fullPath)
    {
        try
        {
            return IsInside(RealPath(fullPath), root.FullPath);
        }
        catch (PathOutsideRootException)
        {
            return false;
        }
    }

    static IReadOnlyList<string> Segments(string? relative)
    {
        if (string.IsNullOrEmpty(relative)) return [];
        if (relative.Any(c => char.IsControl(c)))
            throw new PathOutsideRootException("the path holds control characters");
        if (Path.IsPathRooted(relative) || relative.StartsWith('/') || relative.StartsWith('\\') || relative.Contains(':'))
            throw new PathOutsideRootException($"'{relative}' is an absolute path; paths are relative to a root folder");
        var segments = relative.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in segments)
        {
            if (segment is "." or "..")
                throw new PathOutsideRootException($"'{relative}' holds '{segment}'; paths may not step out of their folder");
        }
        return segments;
    }

    static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary><paramref name="path"/> with every symbolic link along it replaced by its final target.</summary>
    static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        var resolvedParent = parent is null ? null : RealPath(parent);
        var candidate = resolvedParent is null ? full : Path.Combine(resolvedParent, Path.GetFileName(full));
        FileSystemInfo info = Directory.Exists(candidate) ? new DirectoryInfo(candidate) : new FileInfo(candidate);
        if (info.LinkTarget is null) return candidate;
        // A broken or looping link resolves to null or throws: treat it as leading nowhere safe.
        FileSystemInfo? target;
        try
        {
            target = info.ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException)
        {
            target = null;
        }
        if (target is null)
            throw new PathOutsideRootException($"the link '{Path.GetFileName(full)}' leads nowhere (broken or a loop)");
        return RealPath(target.FullName);
    }

    static string Sanitize(string name)
    {
        var clean = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? char.ToLowerInvariant(c) : '-')]);
        return clean.Length == 0 ? "root" : clean;
    }
}

using DiffusionTune.Web.Datasets;
using DiffusionTune.Web.Safety;

namespace DiffusionTune.Web.Browsing;

/// <summary>One folder inside a root as the folder browser shows it: its subfolders and its images with their captions.</summary>
/// <param name="Root">The root's name.</param>
/// <param name="Path">The folder's path inside the root ("" for the root itself), with '/'.</param>
/// <param name="Parent">The parent's path inside the root, or null at the root.</param>
public sealed record FolderListing(string Root, string Path, string? Parent, IReadOnlyList<string> Folders, IReadOnlyList<FolderImage> Images)
{
    /// <summary>Lists <paramref name="relative"/> in root <paramref name="rootName"/>; subfolders that are links leading out of the root are left out.</summary>
    /// <exception cref="PathOutsideRootException">The path is not inside the root.</exception>
    /// <exception cref="DirectoryNotFoundException">There is no such folder.</exception>
    public static FolderListing Read(RootedPaths roots, string? rootName, string? relative)
    {
        var root = roots.Root(rootName);
        var folder = roots.Resolve(rootName, relative);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"there is no folder '{relative}' in the root '{root.Name}'");
        var path = RootedPaths.Relative(root, folder);
        var folders = Directory.EnumerateDirectories(folder)
            .Where(d => !System.IO.Path.GetFileName(d).StartsWith('.'))
            .Where(d => RootedPaths.Contains(root, d))
            .Select(d => System.IO.Path.GetFileName(d))
            .Order(StringComparer.Ordinal)
            .ToList();
        var images = FolderImages.Read(folder).Where(i => RootedPaths.Contains(root, System.IO.Path.Combine(folder, i.FileName))).ToList();
        string? parent = path.Length == 0 ? null : path.Contains('/') ? path[..path.LastIndexOf('/')] : "";
        return new FolderListing(root.Name, path, parent, folders, images);
    }
}

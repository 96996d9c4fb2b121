namespace DiffusionTune.Web.Safety;

/// <summary>A requested path that is not inside a configured root (traversal, an absolute path, a link leading out, no such root).</summary>
public sealed class PathOutsideRootException(string message) : Exception(message);

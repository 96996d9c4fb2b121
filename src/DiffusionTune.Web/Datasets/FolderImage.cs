namespace DiffusionTune.Web.Datasets;

/// <summary>An image in a folder with its caption (the same-named <c>.txt</c> beside it, as the trainer reads it), or null without one.</summary>
public sealed record FolderImage(string FileName, string? Caption);

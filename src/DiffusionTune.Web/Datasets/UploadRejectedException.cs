namespace DiffusionTune.Web.Datasets;

/// <summary>An upload refused as a whole (too many files, one too big, one not an image); nothing of it was kept.</summary>
public sealed class UploadRejectedException(string message) : Exception(message);

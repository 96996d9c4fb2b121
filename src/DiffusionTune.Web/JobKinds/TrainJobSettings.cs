namespace DiffusionTune.Web.JobKinds;

/// <summary>
/// A <c>train</c> job's settings as the Train page (or an API client) sends them: a preset, the user's own settings as
/// preset YAML (the same keys, read by the same reader, so the same checks apply) and the image folder, either a managed
/// dataset or a folder inside a root. The server chooses where the job writes (its own folder) and its device.
/// </summary>
/// <param name="Preset">A preset's name (<c>quick-test</c>), or null.</param>
/// <param name="Yaml">Settings in preset YAML that override the preset's; paths in them (<c>model</c>, <c>class_images_folder</c>) are <c>ROOT/relative/path</c>.</param>
/// <param name="Dataset">A managed dataset's name; or give <paramref name="ImagesRoot"/> and <paramref name="ImagesPath"/>.</param>
/// <param name="ImagesRoot">The root folder holding the images.</param>
/// <param name="ImagesPath">The image folder, relative to <paramref name="ImagesRoot"/>.</param>
public sealed record TrainJobSettings(string? Preset, string? Yaml, string? Dataset, string? ImagesRoot, string? ImagesPath);

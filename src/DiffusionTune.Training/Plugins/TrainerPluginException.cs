namespace DiffusionTune.Training.Plugins;

/// <summary>
/// A trainer plugin failed in one of its own members during a run. The message is the one line a user sees
/// (<c>plugin 'lora' failed in Loss: …</c>); the plugin's exception, with its stack trace for the plugin's author, is the
/// <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class TrainerPluginException(string trainer, string member, Exception failure)
    : Exception($"plugin '{trainer}' failed in {member}: {PluginCatalog.Describe(failure)}", failure);

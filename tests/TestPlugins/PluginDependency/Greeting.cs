namespace PluginDependency;

/// <summary>A library the MissingDependencyTrainer plugin needs; the test leaves it out of the plugin folder.</summary>
public static class Greeting
{
    /// <summary>A description.</summary>
    public static string Text => "depends on PluginDependency.dll";
}

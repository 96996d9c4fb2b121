using DiffusionTune.IO;

namespace DiffusionTune.Training.Plugins;

/// <summary>
/// A call from the engine into a trainer plugin during a run: what the plugin throws becomes a
/// <see cref="TrainerPluginException"/> naming the trainer and the member, instead of an unhandled exception. What the
/// host reports itself passes through unchanged: cancellation, I/O problems (a full disk while the plugin saves is not
/// the plugin's fault) and bad model files.
/// </summary>
public static class PluginCall
{
    /// <summary>Runs <paramref name="call"/>, member <paramref name="member"/> of trainer <paramref name="trainer"/>.</summary>
    /// <param name="passThrough">Further exceptions to let through as they are (such as the contract's <see cref="ArgumentException"/> from Begin).</param>
    public static T Run<T>(string trainer, string member, Func<T> call, Func<Exception, bool>? passThrough = null)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is not (OperationCanceledException or IOException or ModelFileException or TrainerPluginException) && passThrough?.Invoke(e) != true)
        {
            throw new TrainerPluginException(trainer, member, e);
        }
    }

    /// <inheritdoc cref="Run{T}"/>
    public static void Run(string trainer, string member, Action call) => Run(trainer, member, () =>
    {
        call();
        return true;
    });
}

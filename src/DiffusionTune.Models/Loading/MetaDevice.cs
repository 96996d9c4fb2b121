using static TorchSharp.torch;

namespace DiffusionTune.Models.Loading;

/// <summary>
/// Builds modules on the <c>meta</c> device: every parameter has its shape and dtype but no storage, so a
/// full-size model costs nothing to construct. Weights are then put in place by <see cref="ParameterMaterializer"/>.
/// </summary>
public static class MetaDevice
{
    public static T Build<T>(Func<T> construct)
    {
        var previous = get_default_device();
        set_default_device(META);
        try
        {
            return construct();
        }
        finally
        {
            set_default_device(previous);
        }
    }
}

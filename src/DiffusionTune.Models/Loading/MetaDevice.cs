using DiffusionTune.Models.Blocks;
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
        using (Layers.On(META))
            return construct();
    }
}

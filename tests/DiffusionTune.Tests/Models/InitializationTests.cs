using DiffusionTune.Models.Blocks;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Models;

public class InitializationTests
{
    [Fact]
    public void GroupNorm_starts_as_the_identity_affine_map()
    {
        // TorchSharp 0.107's nn.GroupNorm leaves weight and bias uninitialised; ours must not.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            using var norm = Layers.GroupNorm(4, 8, 1e-5);
            Assert.All(norm.weight!.data<float>().ToArray(), w => Assert.Equal(1f, w));
            Assert.All(norm.bias!.data<float>().ToArray(), b => Assert.Equal(0f, b));
        }
    }
}

using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests;

public class SafetensorsTests
{
    [Fact]
    public void Reads_the_reference_fixture()
    {
        using var file = SafetensorsFile.Open(TestPaths.Fixture("unet_io.safetensors"));
        using var sample = file.Load("sample");
        Assert.Equal(new long[] { 2, 4, 16, 24 }, sample.shape);
        Assert.Equal(ScalarType.Float32, sample.dtype);
    }
}

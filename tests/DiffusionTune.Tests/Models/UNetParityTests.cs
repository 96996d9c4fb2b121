using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Unet;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Models;

public class UNetParityTests
{
    [Fact]
    public void Matches_the_diffusers_reference_output()
    {
        using var scope = NewDisposeScope();
        using var unet = UNet2DConditionModel.FromPretrained(TestPaths.Fixture("unet"));
        using var io = SafetensorsFile.Open(TestPaths.Fixture("unet_io.safetensors"));
        using var _ = no_grad();
        var output = unet.call(io.Load("sample"), io.Load("timestep"), io.Load("encoder_hidden_states"));
        TensorAssert.Close(io.Load("out_sample"), output, rtol: 1e-4, atol: 1e-5, "out_sample");
    }
}

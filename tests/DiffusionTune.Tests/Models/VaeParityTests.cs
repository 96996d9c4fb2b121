using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Vae;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Models;

public class VaeParityTests
{
    [Fact]
    public void Encoder_and_decoder_match_the_diffusers_reference()
    {
        using var scope = NewDisposeScope();
        using var vae = AutoencoderKL.FromPretrained(TestPaths.Fixture("vae"));
        using var io = SafetensorsFile.Open(TestPaths.Fixture("vae_io.safetensors"));
        using var _ = no_grad();

        using var latent = vae.Encode(io.Load("image"));
        TensorAssert.Close(io.Load("latent_mean"), latent.Mean, 1e-4, 1e-5, "latent_mean");
        TensorAssert.Close(io.Load("latent_logvar"), latent.LogVariance, 1e-4, 1e-5, "latent_logvar");
        TensorAssert.Close(io.Load("latent_std"), latent.Std, 1e-4, 1e-5, "latent_std");
        TensorAssert.Close(io.Load("latent_sample"), latent.Sample(io.Load("sample_noise")), 1e-4, 1e-5, "latent_sample");

        TensorAssert.Close(io.Load("decoder_output"), vae.Decode(io.Load("decoder_input")), 1e-4, 1e-5, "decoder_output");
        TensorAssert.Close(io.Load("decoded_mean"), vae.Decode(latent.Mean), 1e-4, 1e-5, "decoded_mean");
    }
}

using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Pipelines;

/// <summary>The whole txt2img recipe against diffusers' StableDiffusionPipeline run on the fixture models.</summary>
public class PipelineParityTests
{
    const double Rtol = 1e-3, Atol = 1e-4;

    [Fact]
    public void Denoising_and_decoding_from_the_reference_embeddings_match()
    {
        using var scope = NewDisposeScope();
        using var model = FixtureModel.Load();
        using var io = SafetensorsFile.Open(TestPaths.Fixture("pipeline_io.safetensors"));
        var embeds = io.Load("prompt_embeds");
        var pipeline = new TextToImagePipeline(model);
        using var _ = inference_mode();

        var latents = pipeline.Denoise(embeds[1..2], embeds[0..1], 7.5, new SamplerChoice(SamplerKind.Euler), 6,
            [1, 4, 16, 24], new RecordedNoiseSource([io.Load("noise")]));
        TensorAssert.Close(io.Load("final_latents"), latents, Rtol, Atol, "final_latents");

        var image = pipeline.Decode(latents);
        TensorAssert.Close(io.Load("image"), image, Rtol, Atol, "image");
    }

    [SharedReferenceFact("clip-tokenizer")]
    public void Prompt_encoding_matches_the_reference_embeddings()
    {
        using var scope = NewDisposeScope();
        using var model = FixtureModel.Load(realTokenizer: true);
        using var io = SafetensorsFile.Open(TestPaths.Fixture("pipeline_io.safetensors"));
        var encoder = new PromptEncoder(model.Tokenizer, model.TextEncoder);
        using var _ = inference_mode();

        var (positive, negative) = encoder.EncodePair(["a photograph of an astronaut riding a horse"], [""]);
        var embeds = io.Load("prompt_embeds");
        TensorAssert.Close(embeds[1..2], positive, 1e-4, 1e-5, "positive prompt");
        TensorAssert.Close(embeds[0..1], negative, 1e-4, 1e-5, "negative prompt");
    }
}

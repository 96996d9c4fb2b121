using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Diffusion.Schedules;
using DiffusionTune.IO;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Unet;

namespace DiffusionTune.Tests.Pipelines;

public class LoadErrorTests
{
    [Fact]
    public void Missing_unexpected_and_misshapen_tensors_are_named()
    {
        var folder = RandomTinyModel.SaveDiffusers();
        var weights = Path.Combine(folder, "unet", "diffusion_pytorch_model.safetensors");
        Dictionary<string, TorchSharp.torch.Tensor> tensors;
        using (var file = SafetensorsFile.Open(weights)) tensors = file.LoadAll();
        tensors.Remove("conv_in.bias");
        tensors["extra.weight"] = TorchSharp.torch.zeros(3);
        tensors["conv_out.bias"] = TorchSharp.torch.zeros(5);
        SafetensorsWriter.Save(weights, tensors);

        var error = Assert.Throws<ModelFileException>(() => UNet2DConditionModel.FromPretrained(Path.Combine(folder, "unet")));
        Assert.Contains("diffusion_pytorch_model.safetensors", error.Message);
        Assert.Contains("missing tensor(s): conv_in.bias", error.Message);
        Assert.Contains("unexpected tensor(s): extra.weight", error.Message);
        Assert.Contains("conv_out.bias is [5] in the file, the model needs [4]", error.Message);
    }

    [Theory]
    [InlineData("unet", "diffusion_pytorch_model.safetensors", "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight")]
    [InlineData("vae", "diffusion_pytorch_model.safetensors", "decoder.conv_in.bias")]
    [InlineData("text_encoder", "model.safetensors", "text_model.embeddings.token_embedding.weight")]
    public void A_weight_holding_nan_or_inf_is_refused_naming_the_file_the_tensor_and_the_count(string component, string fileName, string tensorName)
    {
        var folder = RandomTinyModel.SaveDiffusers();
        var weights = Path.Combine(folder, component, fileName);
        Dictionary<string, TorchSharp.torch.Tensor> tensors;
        using (var file = SafetensorsFile.Open(weights)) tensors = file.LoadAll();
        var broken = tensors[tensorName].view(-1);
        broken[0] = float.NaN;
        broken[1] = float.PositiveInfinity;
        broken[2] = float.NaN;
        SafetensorsWriter.Save(weights, tensors);

        var error = Assert.Throws<ModelFileException>(() => StableDiffusionModel.Load(folder).Dispose());
        Assert.Equal($"{weights}: tensor '{tensorName}' has 3 non-finite values (NaN/Inf)", error.Message);
    }

    [Fact]
    public void The_scheduler_config_round_trips()
    {
        var options = NoiseScheduleOptions.StableDiffusion1 with { PredictionType = PredictionType.VPrediction, TimestepSpacing = TimestepSpacing.Trailing };
        using var json = System.Text.Json.JsonDocument.Parse(options.ToSchedulerConfig().ToJsonString());
        var read = NoiseScheduleOptions.FromSchedulerConfig(json.RootElement);
        Assert.Equal(options with { TrainedBetas = null }, read with { TrainedBetas = null });
        Assert.Equal(new NoiseSchedule(options).AlphasCumprod, new NoiseSchedule(read).AlphasCumprod);
    }

    [Fact]
    public void A_model_loads_in_bf16_and_generates()
    {
        var folder = RandomTinyModel.SaveDiffusers();
        using var model = StableDiffusionModel.Load(folder, new ModelLoadOptions { Dtype = TorchSharp.torch.ScalarType.BFloat16 });
        Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, model.Dtype);
        using var images = new TextToImagePipeline(model).Generate(new GenerationRequest { Prompt = "a cat", Steps = 2, Width = 32, Height = 32, Seed = 1 });
        Assert.Equal(TorchSharp.torch.ScalarType.Float32, images.dtype);
        Assert.True(images.isfinite().all().item<bool>());
    }
}

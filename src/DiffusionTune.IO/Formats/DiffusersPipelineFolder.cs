using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiffusionTune.IO.Formats;

/// <summary>
/// The diffusers Stable Diffusion folder layout: <c>model_index.json</c> naming the pipeline class and its components,
/// with one sub-folder each (<c>unet/</c>, <c>vae/</c>, <c>text_encoder/</c>, <c>tokenizer/</c>, <c>scheduler/</c>).
/// </summary>
public static class DiffusersPipelineFolder
{
    public const string IndexFileName = "model_index.json";
    public const string SchedulerConfigPath = "scheduler/scheduler_config.json";

    public static bool IsPipelineFolder(string path) => File.Exists(Path.Combine(path, IndexFileName));

    /// <summary>Checks <c>model_index.json</c> names a pipeline this tool can run, and that each component folder exists.</summary>
    public static void Validate(string folder)
    {
        var indexPath = Path.Combine(folder, IndexFileName);
        JsonNode? index;
        try
        {
            index = JsonNode.Parse(FileAccessException.Guard(indexPath, "read", () => File.ReadAllText(indexPath)));
        }
        catch (JsonException e)
        {
            throw new ModelFileException(indexPath, $"not valid JSON ({e.Message})", e);
        }
        var className = index?["_class_name"]?.GetValue<string>();
        if (className is not ("StableDiffusionPipeline" or "StableDiffusionImg2ImgPipeline" or "DiffusionTunePipeline"))
            throw new ModelFileException(indexPath, $"names a {className ?? "(missing _class_name)"}; only Stable Diffusion 1.x/2.x pipelines (StableDiffusionPipeline) are supported");
        foreach (var component in new[] { "unet", "vae", "text_encoder", "tokenizer" })
        {
            if (!Directory.Exists(Path.Combine(folder, component)))
                throw new ModelFileException(folder, $"is a diffusers pipeline folder without its '{component}/' sub-folder");
        }
    }

    /// <summary>Writes a <c>model_index.json</c> as diffusers does for a Stable Diffusion pipeline.</summary>
    public static void WriteIndex(string folder, string schedulerClass = "DDIMScheduler")
    {
        var index = new JsonObject
        {
            ["_class_name"] = "StableDiffusionPipeline",
            ["_diffusers_version"] = "0.30.0",
            ["feature_extractor"] = new JsonArray(null, null),
            ["requires_safety_checker"] = false,
            ["safety_checker"] = new JsonArray(null, null),
            ["scheduler"] = new JsonArray("diffusers", schedulerClass),
            ["text_encoder"] = new JsonArray("transformers", "CLIPTextModel"),
            ["tokenizer"] = new JsonArray("transformers", "CLIPTokenizer"),
            ["unet"] = new JsonArray("diffusers", "UNet2DConditionModel"),
            ["vae"] = new JsonArray("diffusers", "AutoencoderKL"),
        };
        AtomicFile.WriteAllText(Path.Combine(folder, IndexFileName), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}

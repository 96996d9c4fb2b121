using DiffusionTune.IO.Safetensors;
using TorchSharp;

namespace DiffusionTune.Tests.Web;

/// <summary>Files for the library to find in a test server's root.</summary>
static class LibraryFiles
{
    /// <summary>A LoRA with a trigger word, a training run's folder of two checkpoints, an embedding, a hypernetwork and a pipeline folder in the root.</summary>
    public static void Fill(string root)
    {
        using var down = torch.zeros(2, 4);
        using var up = torch.zeros(4, 2);
        var lora = new Dictionary<string, torch.Tensor> { ["lora_unet_mid_block_attentions_0_proj_in.lora_down.weight"] = down, ["lora_unet_mid_block_attentions_0_proj_in.lora_up.weight"] = up };
        Directory.CreateDirectory(Path.Combine(root, "loras"));
        Directory.CreateDirectory(Path.Combine(root, "run"));
        SafetensorsWriter.Save(Path.Combine(root, "loras", "cat.safetensors"), lora,
            new Dictionary<string, string> { ["ss_network_dim"] = "2", ["diffusiontune.trigger"] = "sks" });
        foreach (var name in new[] { "lora-step000010", "lora" })
            SafetensorsWriter.Save(Path.Combine(root, "run", $"{name}.safetensors"), lora, new Dictionary<string, string> { ["ss_network_dim"] = "2" });
        Directory.CreateDirectory(Path.Combine(root, "embeddings"));
        using var vectors = torch.zeros(1, 32);
        SafetensorsWriter.Save(Path.Combine(root, "embeddings", "shiny.safetensors"), [new("emb_params", vectors)], new Dictionary<string, string>());
        Directory.CreateDirectory(Path.Combine(root, "hypernetworks"));
        using var weight = torch.zeros(4, 4);
        SafetensorsWriter.Save(Path.Combine(root, "hypernetworks", "ink.safetensors"), [new("768.0.linear.weight", weight)], new Dictionary<string, string> { ["layer_structure"] = "1,2,1" });
        Directory.CreateDirectory(Path.Combine(root, "pipeline"));
        File.WriteAllText(Path.Combine(root, "pipeline", "model_index.json"), "{}");
    }
}

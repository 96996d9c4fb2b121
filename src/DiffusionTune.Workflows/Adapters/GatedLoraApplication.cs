using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Adapters;
using DiffusionTune.Workflows.Reporting;

namespace DiffusionTune.Workflows.Adapters;

/// <summary>
/// LoRAs that apply only to prompts containing their trigger word. They cannot be merged into the weights, which every
/// prompt shares, so they run as forward hooks (<see cref="LoraHooks"/>) gated per batch row by the model's
/// <see cref="StableDiffusionModel.Gates"/>: rows without the trigger compute exactly what the model without them
/// computes. Owns the files' tensors; Dispose removes the hooks.
/// </summary>
public sealed class GatedLoraApplication : IDisposable
{
    readonly List<LoraNetwork> _networks = [];
    readonly List<LoraHooks> _hooks = [];
    readonly List<AppliedLora> _applied = [];

    GatedLoraApplication() { }

    /// <summary>What was applied, in order, each with its trigger.</summary>
    public IReadOnlyList<AppliedLora> Applied => _applied;

    /// <summary>Reads every LoRA (each with a <see cref="LoraArgument.Trigger"/>) and hooks it into <paramref name="model"/>, gated on its trigger.</summary>
    public static GatedLoraApplication Attach(StableDiffusionModel model, IReadOnlyList<LoraArgument> loras, IWorkflowReporter reporter)
    {
        var application = new GatedLoraApplication();
        if (loras.Count == 0) return application;
        try
        {
            var layers = new AdaptableLayers(model.Unet, model.TextEncoder);
            foreach (var lora in loras)
            {
                var trigger = lora.Trigger ?? throw new ArgumentException($"--lora {lora.Path}: a gated LoRA needs a trigger word", nameof(loras));
                var network = LoraMerging.Read(lora.Path, layers.Targets, lora.Strength, reporter);
                application._networks.Add(network);
                application._hooks.Add(LoraHooks.Attach(layers, network.Layers, lora.Strength, model.Gates.Add(trigger)));
                application._applied.Add(AppliedLora.Of(network, lora));
            }
            return application;
        }
        catch
        {
            application.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var hooks in _hooks) hooks.Dispose();
        _hooks.Clear();
        foreach (var network in _networks) network.Dispose();
        _networks.Clear();
    }
}

namespace DiffusionTune.IO.Formats;

/// <summary>
/// The adaptable layers of one model, looked up by the names LoRA files give them: a component and a dotted module
/// path, or a kohya name (<c>lora_unet_down_blocks_0_…_to_q</c>). kohya names replace every '.' by '_', which cannot
/// be undone by rule (module names contain '_' too), so they are resolved by matching against the underscore form of
/// every module the model actually has.
/// </summary>
public sealed class AdapterTargets
{
    readonly Dictionary<(ModelComponent, string), AdaptableModule> _byName = [];
    readonly Dictionary<string, AdaptableModule> _byKohyaName = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">Two modules share a name or a kohya name.</exception>
    public AdapterTargets(IEnumerable<AdaptableModule> modules)
    {
        foreach (var module in modules)
        {
            _byName.Add((module.Component, module.Name), module);
            _byKohyaName.Add(KohyaLoraNames.Of(module), module);
        }
    }

    public AdaptableModule? Find(ModelComponent component, string name) => _byName.GetValueOrDefault((component, name));

    /// <summary>The module a kohya/LyCORIS layer name (without the <c>.lora_down.weight</c>-style suffix) adapts.</summary>
    public AdaptableModule? FindKohya(string kohyaName) => _byKohyaName.GetValueOrDefault(kohyaName);
}

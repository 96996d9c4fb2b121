using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Configuration;
using static TorchSharp.torch;

namespace DiffusionTune.Models.Loading;

/// <summary>
/// Loading and saving of one component folder in the diffusers/transformers layout
/// (<c>config.json</c> + <c>&lt;weights&gt;.safetensors</c>), shared by the UNet, VAE and text encoder.
/// </summary>
public static class PretrainedComponent
{
    /// <summary>
    /// Reads and validates the config, checks it against the weights file's header (<see cref="ConfigFit"/>), builds the
    /// model on the meta device, then loads its weights onto <paramref name="device"/>: nothing is allocated before the
    /// config is known to be sane and to fit the file.
    /// </summary>
    /// <remarks>Older spellings in the weights file (legacy VAE attention names, CLIP position_ids) are accepted; see <see cref="DiffusersNames"/>.</remarks>
    public static (TModel Model, TConfig Config) Load<TModel, TConfig>(
        string folder, string weightsBaseName, ModelComponent component, Func<TConfig, TModel> build, Device device, ScalarType dtype)
        where TModel : nn.Module
        where TConfig : class, IModelConfig
    {
        if (!Directory.Exists(folder)) throw new ModelFileException(folder, "model folder not found");
        var configPath = Path.Combine(folder, "config.json");
        var config = ModelConfigFile.Read<TConfig>(configPath);
        using var file = SafetensorsFile.Open(WeightsFile.Find(folder, weightsBaseName));
        var names = DiffusersNames.Normalize(component, file);
        if (names.Conflicts.Count > 0)
            throw new ModelFileException(file.FilePath, $"holds the same tensor under two spellings: {string.Join(", ", names.Conflicts)}");
        var weights = TensorSource.FromPlan(names.Plan, file);
        ConfigFit.Check(config, configPath, weights);
        var model = MetaDevice.Build(() => build(config));
        try
        {
            ParameterMaterializer.Load(model, weights, device, dtype);
        }
        catch
        {
            // A tensor refused halfway (non-finite values, say) must not leave the ones already loaded to the finalizer.
            model.Dispose();
            throw;
        }
        model.eval();
        return (model, config);
    }

    /// <summary>Writes <c>config.json</c> and <c>&lt;weights&gt;.safetensors</c> into <paramref name="folder"/> (each atomically).</summary>
    public static void Save<TConfig>(string folder, string weightsBaseName, TConfig config, nn.Module model,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        Folders.Create(folder);
        var metadataWithFormat = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>()) { ["format"] = "pt" };
        SafetensorsWriter.Save(Path.Combine(folder, $"{weightsBaseName}.safetensors"), model.state_dict(), metadataWithFormat);
        ModelConfigFile.Write(Path.Combine(folder, "config.json"), config);
    }
}

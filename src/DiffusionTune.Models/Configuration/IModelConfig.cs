namespace DiffusionTune.Models.Configuration;

/// <summary>
/// A model's <c>config.json</c>, which can say what is wrong with its values before anything is built from it.
/// <see cref="ModelConfigFile"/> validates every config it reads, so a bad field is refused with the file's name.
/// </summary>
public interface IModelConfig
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming every field that is out of its sane range or unsupported.</summary>
    void Validate();

    /// <summary>What a weights file must show for it to fit this config, field by field; checked before the model is built.</summary>
    IEnumerable<FieldEvidence> WeightsEvidence() => [];
}

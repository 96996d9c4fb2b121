using DiffusionTune.IO;
using DiffusionTune.Models.Configuration;

namespace DiffusionTune.Models.Loading;

/// <summary>
/// Checks a config against the header of the weights meant for it (<see cref="IModelConfig.WeightsEvidence"/>) before
/// the model is built, so that a config that does not fit its weights is refused by field, with the tensor that disagrees.
/// </summary>
public static class ConfigFit
{
    /// <exception cref="ModelFileException">Naming <paramref name="configOrigin"/>, the weights and every field they contradict.</exception>
    public static void Check(IModelConfig config, string configOrigin, TensorSource weights)
    {
        // A field given once for every level disagrees at every level; saying so once is enough.
        var disagreements = config.WeightsEvidence()
            .Select(evidence => (evidence.Field, Problem: evidence.Disagreement(weights)))
            .Where(found => found.Problem is not null)
            .DistinctBy(found => found.Field)
            .Select(found => found.Problem)
            .ToList();
        if (disagreements.Count > 0)
            throw new ModelFileException(configOrigin, $"does not fit {weights.Origin}: {string.Join("; ", disagreements)}");
    }
}

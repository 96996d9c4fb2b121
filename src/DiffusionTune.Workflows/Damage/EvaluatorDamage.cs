using DiffusionTune.ShapesWorld.Evaluation;

namespace DiffusionTune.Workflows.Damage;

/// <summary>
/// The evaluator's comparison of the tuned and base models' images on the same prompts and seeds (shapes-world models):
/// on the general prompts it is damage, on the concept prompts it is what the fine-tune learned.
/// </summary>
/// <param name="Seeds">Images per prompt.</param>
/// <param name="Sampler">The sampler's short name.</param>
public sealed record EvaluatorDamage(int Seeds, int Steps, double Cfg, string Sampler, EvaluatorDrift General, EvaluatorDrift? Concept);

/// <summary>One prompt set's <see cref="ModelComparison"/> (tuned minus base), with attributes by their snake_case names.</summary>
/// <param name="AdherenceChange">Per attribute the prompts state: the change in the share of images that show it (−1..1).</param>
/// <param name="AllStatedChange">The change in the share of images that show everything their prompt states.</param>
/// <param name="DiversityChange">The change in the mean pairwise feature distance of a prompt's images.</param>
/// <param name="FrechetDistance">Between the two models' pooled image features.</param>
public sealed record EvaluatorDrift(IReadOnlyDictionary<string, double> AdherenceChange, double AllStatedChange, double DiversityChange, double FrechetDistance)
{
    public static EvaluatorDrift From(ModelComparison comparison) => new(
        comparison.AdherenceChange.ToDictionary(c => SceneAttributes.Name(c.Key), c => c.Value),
        comparison.AllStatedChange,
        comparison.DiversityChange,
        comparison.FrechetDistance);
}

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// How a model drifted from a reference (typically a fine-tune from its base) on the same prompts and seeds.
/// </summary>
/// <param name="AdherenceChange">Per attribute judged in both, the model's adherence rate minus the reference's (−1..1).</param>
/// <param name="AllStatedChange">The same for images matching every stated attribute.</param>
/// <param name="DiversityChange">The model's diversity minus the reference's.</param>
/// <param name="FrechetDistance">The Fréchet distance between the two models' pooled feature distributions.</param>
public sealed record ModelComparison(
    IReadOnlyDictionary<SceneAttribute, double> AdherenceChange,
    double AllStatedChange,
    double DiversityChange,
    double FrechetDistance)
{
    public static ModelComparison Compare(ModelEvaluation model, ModelEvaluation reference)
    {
        var changes = model.Adherence.PerAttribute
            .Where(a => reference.Adherence.PerAttribute.ContainsKey(a.Key))
            .ToDictionary(a => a.Key, a => a.Value.Rate - reference.Adherence.PerAttribute[a.Key].Rate);
        using var modelFeatures = model.PooledFeatures();
        using var referenceFeatures = reference.PooledFeatures();
        return new ModelComparison(
            changes,
            model.Adherence.AllStated.Rate - reference.Adherence.AllStated.Rate,
            model.Diversity - reference.Diversity,
            Evaluation.FrechetDistance.Between(modelFeatures, referenceFeatures));
    }
}

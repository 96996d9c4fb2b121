namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>
/// How closely images follow their prompts: per attribute, the share of images whose predicted value is the one the
/// prompt states, counted only over prompts that state it (a prompt without style words is not judged on style).
/// <see cref="AllStated"/> counts images that get every stated attribute right at once.
/// </summary>
/// <param name="PerAttribute">Counts for each attribute judged at least once.</param>
/// <param name="AllStated">Images matching every attribute their prompt states (prompts stating none are not judged).</param>
public sealed record PromptAdherence(IReadOnlyDictionary<SceneAttribute, AdherenceCount> PerAttribute, AdherenceCount AllStated)
{
    /// <summary>Judges the images <paramref name="predicted"/> generated for a prompt that states <paramref name="expected"/>.</summary>
    public static PromptAdherence Measure(PromptAttributes expected, IReadOnlyList<SceneLabels> predicted)
    {
        var stated = SceneAttributes.StatedBy(expected);
        bool Matches(SceneLabels labels, SceneAttribute attribute) => labels.IndexOf(attribute) == SceneAttributes.Stated(expected, attribute);
        var perAttribute = stated.ToDictionary(
            attribute => attribute,
            attribute => new AdherenceCount(predicted.Count(labels => Matches(labels, attribute)), predicted.Count));
        var allStated = stated.Count == 0
            ? new AdherenceCount(0, 0)
            : new AdherenceCount(predicted.Count(labels => stated.All(attribute => Matches(labels, attribute))), predicted.Count);
        return new PromptAdherence(perAttribute, allStated);
    }

    /// <summary>The adherence of several prompts' images together: counts are summed, so every judged image weighs the same.</summary>
    public static PromptAdherence Pool(IEnumerable<PromptAdherence> parts)
    {
        var perAttribute = new Dictionary<SceneAttribute, AdherenceCount>();
        var allStated = new AdherenceCount(0, 0);
        foreach (var part in parts)
        {
            foreach (var (attribute, count) in part.PerAttribute)
                perAttribute[attribute] = perAttribute.GetValueOrDefault(attribute) + count;
            allStated += part.AllStated;
        }
        return new PromptAdherence(SceneLabels.Attributes.Where(perAttribute.ContainsKey).ToDictionary(a => a, a => perAttribute[a]), allStated);
    }
}

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>How often a classifier names each attribute of rendered scenes correctly.</summary>
/// <param name="Images">How many images were classified.</param>
/// <param name="PerAttribute">The fraction (0..1) of images whose attribute was predicted correctly, per head.</param>
public sealed record ClassifierAccuracy(int Images, IReadOnlyDictionary<SceneAttribute, double> PerAttribute)
{
    const int BatchSize = 250;

    /// <summary>The weakest head's accuracy.</summary>
    public double Worst => PerAttribute.Values.Min();

    /// <summary>Classifies items 0 … <paramref name="count"/> − 1 of <paramref name="dataset"/> and compares with their scenes.</summary>
    public static ClassifierAccuracy Measure(ShapesClassifier classifier, ShapesWorldDataset dataset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var correct = SceneLabels.Attributes.ToDictionary(a => a, _ => 0);
        for (int first = 0; first < count; first += BatchSize)
        {
            var (images, truth) = LabelledRenders.Render(dataset, first, Math.Min(BatchSize, count - first));
            using (images)
            {
                var (predicted, features) = classifier.Read(images);
                features.Dispose();
                for (int i = 0; i < truth.Length; i++)
                {
                    foreach (var attribute in SceneLabels.Attributes)
                    {
                        if (predicted[i].IndexOf(attribute) == truth[i].IndexOf(attribute)) correct[attribute]++;
                    }
                }
            }
        }
        return new ClassifierAccuracy(count, correct.ToDictionary(c => c.Key, c => (double)c.Value / count));
    }
}

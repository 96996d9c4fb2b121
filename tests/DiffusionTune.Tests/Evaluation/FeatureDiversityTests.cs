using DiffusionTune.ShapesWorld.Evaluation;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Evaluation;

public class FeatureDiversityTests
{
    [Fact]
    public void Mean_pairwise_distance_of_hand_made_features()
    {
        // Pairs: (0,1) 5, (0,2) 0, (1,2) 5.
        using var features = tensor(new float[] { 0, 0, 3, 4, 0, 0 }, [3, 2]);
        Assert.Equal(10.0 / 3, FeatureDiversity.MeanPairwiseDistance(features), 1e-6);
    }

    [Fact]
    public void Identical_images_have_no_diversity()
    {
        using var features = ones(4, 8);
        Assert.Equal(0, FeatureDiversity.MeanPairwiseDistance(features));
    }

    [Fact]
    public void One_image_is_not_enough()
    {
        using var features = ones(1, 8);
        Assert.Throws<ArgumentException>(() => FeatureDiversity.MeanPairwiseDistance(features));
    }
}

namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>The five attributes of a scene that <see cref="ShapesClassifier"/> reads from an image, one head each.</summary>
public enum SceneAttribute
{
    Shape,
    Color,
    Pattern,
    BackgroundColor,
    Style,
}

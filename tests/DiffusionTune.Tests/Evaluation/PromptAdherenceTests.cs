using DiffusionTune.ShapesWorld;
using DiffusionTune.ShapesWorld.Evaluation;

namespace DiffusionTune.Tests.Evaluation;

public class PromptAdherenceTests
{
    static SceneLabels Labels(Shape shape, NamedColor color, BackgroundPattern pattern = BackgroundPattern.Plain,
        NamedColor background = NamedColor.White, RenderStyle style = RenderStyle.Flat) => new(shape, color, pattern, background, style);

    [Fact]
    public void Only_the_attributes_a_prompt_states_are_judged()
    {
        var expected = PromptParser.Parse("a red star on a striped blue background");
        SceneLabels[] predicted =
        [
            Labels(Shape.Star, NamedColor.Red, BackgroundPattern.Stripes, NamedColor.Blue),
            Labels(Shape.Star, NamedColor.Orange, BackgroundPattern.Stripes, NamedColor.Blue, RenderStyle.Shadowed),
            Labels(Shape.Circle, NamedColor.Red, BackgroundPattern.Dots, NamedColor.Blue),
            Labels(Shape.Star, NamedColor.Red, BackgroundPattern.Stripes, NamedColor.Green),
        ];

        var adherence = PromptAdherence.Measure(expected, predicted);

        // No style words: style is not judged, whatever the images show.
        Assert.Equal([SceneAttribute.Shape, SceneAttribute.Color, SceneAttribute.Pattern, SceneAttribute.BackgroundColor], adherence.PerAttribute.Keys.Order());
        Assert.Equal(new AdherenceCount(3, 4), adherence.PerAttribute[SceneAttribute.Shape]);
        Assert.Equal(new AdherenceCount(3, 4), adherence.PerAttribute[SceneAttribute.Color]);
        Assert.Equal(new AdherenceCount(3, 4), adherence.PerAttribute[SceneAttribute.Pattern]);
        Assert.Equal(new AdherenceCount(3, 4), adherence.PerAttribute[SceneAttribute.BackgroundColor]);
        Assert.Equal(0.75, adherence.PerAttribute[SceneAttribute.Shape].Rate);
        // Only the first image gets everything right.
        Assert.Equal(new AdherenceCount(1, 4), adherence.AllStated);
    }

    [Fact]
    public void A_stated_style_is_judged_and_pooling_sums_counts()
    {
        var outline = PromptAdherence.Measure(PromptParser.Parse("an outline of a green circle"),
            [Labels(Shape.Circle, NamedColor.Green, style: RenderStyle.OutlineOnly), Labels(Shape.Circle, NamedColor.Green)]);
        Assert.Equal(new AdherenceCount(1, 2), outline.PerAttribute[SceneAttribute.Style]);
        Assert.Equal(new AdherenceCount(1, 2), outline.AllStated);

        var star = PromptAdherence.Measure(PromptParser.Parse("a star"),
            [Labels(Shape.Star, NamedColor.Red), Labels(Shape.Star, NamedColor.Blue)]);
        var pooled = PromptAdherence.Pool([outline, star]);

        Assert.Equal(new AdherenceCount(4, 4), pooled.PerAttribute[SceneAttribute.Shape]);
        Assert.Equal(new AdherenceCount(2, 2), pooled.PerAttribute[SceneAttribute.Color]);
        Assert.Equal(new AdherenceCount(1, 2), pooled.PerAttribute[SceneAttribute.Style]);
        Assert.False(pooled.PerAttribute.ContainsKey(SceneAttribute.Pattern));
        Assert.Equal(new AdherenceCount(3, 4), pooled.AllStated);
    }

    [Fact]
    public void A_prompt_stating_nothing_judges_nothing()
    {
        var adherence = PromptAdherence.Measure(PromptParser.Parse("something nice"), [Labels(Shape.Star, NamedColor.Red)]);
        Assert.Empty(adherence.PerAttribute);
        Assert.Equal(0, adherence.AllStated.Judged);
        Assert.True(double.IsNaN(adherence.AllStated.Rate));
    }
}

using DiffusionTune.ShapesWorld;

namespace DiffusionTune.Tests.ShapesWorld;

public class SceneSamplerTests
{
    static Scene[] Sample(SceneSamplerOptions options, int count, ulong seed = 1)
    {
        var sampler = new SceneSampler(options);
        return [.. Enumerable.Range(0, count).Select(i => sampler.Sample(DeterministicRandom.ForItem(seed, i)))];
    }

    [Fact]
    public void Held_out_styles_are_marked_and_never_sampled_for_pretraining()
    {
        Assert.Equal([RenderStyle.Flat, RenderStyle.Bordered, RenderStyle.Shadowed], RenderStyle.Pretraining);
        Assert.Equal([RenderStyle.Face, RenderStyle.OutlineOnly, RenderStyle.PixelArt], RenderStyle.HeldOut);
        Assert.True(RenderStyle.PixelArt.IsHeldOut);
        Assert.False(RenderStyle.Shadowed.IsHeldOut);

        var scenes = Sample(SceneSamplerOptions.Pretraining, 5000);
        Assert.DoesNotContain(scenes, s => s.Style.IsHeldOut);
        Assert.Equal(RenderStyle.Pretraining.ToHashSet(), scenes.Select(s => s.Style).ToHashSet());
    }

    [Fact]
    public void Held_out_options_give_only_held_out_styles()
    {
        var scenes = Sample(SceneSamplerOptions.HeldOut, 1000);
        Assert.All(scenes, s => Assert.True(s.Style.IsHeldOut));
        Assert.Equal(RenderStyle.HeldOut.ToHashSet(), scenes.Select(s => s.Style).ToHashSet());
    }

    [Fact]
    public void Pretraining_covers_every_shape_colour_pattern_and_background_colour()
    {
        var scenes = Sample(SceneSamplerOptions.Pretraining, 5000);
        Assert.Equal(Enum.GetValues<Shape>().ToHashSet(), scenes.Select(s => s.Shape).ToHashSet());
        Assert.Equal(Enum.GetValues<NamedColor>().ToHashSet(), scenes.Select(s => s.Color).ToHashSet());
        Assert.Equal(Enum.GetValues<BackgroundPattern>().ToHashSet(), scenes.Select(s => s.Background.Pattern).ToHashSet());
        Assert.Equal(Enum.GetValues<NamedColor>().ToHashSet(), scenes.Select(s => s.Background.Color).ToHashSet());
    }

    [Fact]
    public void Shape_and_background_colours_always_contrast()
    {
        foreach (var scene in Sample(SceneSamplerOptions.Pretraining with { Styles = Enum.GetValues<RenderStyle>() }, 5000))
        {
            Assert.True(ColorContrast.IsLegible(scene.Fill, scene.Background.Base), $"{scene.Fill} on {scene.Background.Base}");
            Assert.True(ColorContrast.Distance(scene.Fill, scene.Background.Accent) >= ColorContrast.MinimumDistance);
            Assert.Equal(Palette.AccentOf(scene.Background.Base), scene.Background.Accent);
            Assert.NotEqual(scene.Color, scene.Background.Color);
        }
    }

    [Fact]
    public void Colours_are_small_jitters_of_their_base_colour()
    {
        foreach (var scene in Sample(SceneSamplerOptions.Pretraining, 2000))
        {
            AssertNear(Palette.BaseOf(scene.Color), scene.Fill);
            AssertNear(Palette.BaseOf(scene.Background.Color), scene.Background.Base);
        }

        static void AssertNear(Rgb expected, Rgb actual)
        {
            Assert.InRange(actual.R, expected.R - Palette.MaxJitter, expected.R + Palette.MaxJitter);
            Assert.InRange(actual.G, expected.G - Palette.MaxJitter, expected.G + Palette.MaxJitter);
            Assert.InRange(actual.B, expected.B - Palette.MaxJitter, expected.B + Palette.MaxJitter);
        }
    }

    [Fact]
    public void Shapes_stay_inside_the_frame()
    {
        foreach (var scene in Sample(SceneSamplerOptions.Pretraining with { Styles = [RenderStyle.Flat], Patterns = [BackgroundPattern.Plain] }, 1000))
        {
            var pixels = new RenderedPixels(scene);
            var edge = pixels.Pixels().Where(p => p.X is 0 or 63 || p.Y is 0 or 63);
            Assert.All(edge, p => Assert.Equal(scene.Background.Base, p.Color));
        }
    }

    [Fact]
    public void Sizes_and_rotations_stay_within_their_limits()
    {
        foreach (var scene in Sample(SceneSamplerOptions.Pretraining with { Styles = Enum.GetValues<RenderStyle>() }, 5000))
        {
            var p = scene.Placement;
            Assert.InRange(p.Size, 0.40f, 0.86f);
            Assert.InRange(p.CenterX, 0.2f, 0.8f);
            Assert.InRange(p.CenterY, 0.2f, 0.8f);
            Assert.InRange(p.RotationDegrees, -36f, 36f);
            if (scene.Shape is Shape.Square or Shape.Diamond) Assert.InRange(p.RotationDegrees, -12f, 12f);
            if (scene.Shape is Shape.Circle or Shape.Ring || scene.Style == RenderStyle.PixelArt) Assert.Equal(0f, p.RotationDegrees);
            if (scene.Style is RenderStyle.Face or RenderStyle.PixelArt) Assert.True(p.Size >= 0.6f);
        }
    }

    [Fact]
    public void Restricted_options_fix_attributes()
    {
        var options = SceneSamplerOptions.Pretraining with { Shapes = [Shape.Star], Colors = [NamedColor.Red], Patterns = [BackgroundPattern.Dots] };
        Assert.All(Sample(options, 300), s =>
        {
            Assert.Equal(Shape.Star, s.Shape);
            Assert.Equal(NamedColor.Red, s.Color);
            Assert.Equal(BackgroundPattern.Dots, s.Background.Pattern);
        });
    }

    [Fact]
    public void Options_that_allow_no_legible_scene_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SceneSampler(SceneSamplerOptions.Pretraining with { Colors = [NamedColor.White], BackgroundColors = [NamedColor.White] }));
        Assert.Throws<ArgumentException>(() => new SceneSampler(SceneSamplerOptions.Pretraining with { Colors = [NamedColor.Orange], BackgroundColors = [NamedColor.Yellow] }));
        Assert.Throws<ArgumentException>(() => new SceneSampler(SceneSamplerOptions.Pretraining with { Shapes = [] }));
    }

    [Fact]
    public void The_same_generator_state_gives_the_same_scene()
    {
        Assert.Equal(Sample(SceneSamplerOptions.Pretraining, 50, seed: 9), Sample(SceneSamplerOptions.Pretraining, 50, seed: 9));
        Assert.NotEqual(Sample(SceneSamplerOptions.Pretraining, 50, seed: 9), Sample(SceneSamplerOptions.Pretraining, 50, seed: 10));
    }
}

using System.Text.RegularExpressions;
using DiffusionTune.ShapesWorld;

namespace DiffusionTune.Tests.ShapesWorld;

public class CaptionTests
{
    static readonly SceneSamplerOptions AllStyles = SceneSamplerOptions.Pretraining with { Styles = Enum.GetValues<RenderStyle>() };

    static IEnumerable<(Scene Scene, Caption Caption)> Captions(int count, SceneSamplerOptions options, string? identifier = null)
    {
        var sampler = new SceneSampler(options);
        var writer = new CaptionWriter();
        for (int i = 0; i < count; i++)
        {
            var scene = sampler.Sample(DeterministicRandom.ForItem(77, i, 0));
            yield return (scene, writer.Write(scene, DeterministicRandom.ForItem(77, i, 1), identifier));
        }
    }

    static string[] Words(string text) => [.. Regex.Matches(text, "[a-z]+").Select(m => m.Value)];

    [Fact]
    public void Captions_always_name_the_shape_and_its_colour_and_never_a_rare_identifier()
    {
        foreach (var (scene, caption) in Captions(5000, AllStyles))
        {
            var words = Words(caption.Text);
            Assert.Contains(CaptionWords.Noun(scene.Shape), words);
            Assert.Contains(CaptionWords.Word(scene.Color), words);
            Assert.DoesNotContain(words, RareIdentifiers.IsRareIdentifier);
            Assert.False(caption.Stated.HasIdentifier);
            Assert.Subset(CaptionWriter.Words.ToHashSet(), words.ToHashSet());
        }
    }

    [Fact]
    public void Captions_vary_drop_the_background_sometimes_and_name_non_default_styles()
    {
        var captions = Captions(3000, AllStyles).ToList();
        double dropped = captions.Count(c => c.Caption.Stated.BackgroundColor is null) / (double)captions.Count;
        Assert.InRange(dropped, 0.10, 0.20);
        Assert.Contains(captions, c => c.Caption.Text.Contains(", "));
        Assert.Contains(captions, c => c.Caption.Text.Contains(" on "));
        Assert.All(captions, c => Assert.Equal(c.Scene.Style == RenderStyle.Flat ? null : c.Scene.Style, c.Caption.Stated.Style));
        // Each style's subject ("a red star with a soft shadow") is worded in more than one way.
        foreach (var style in Enum.GetValues<RenderStyle>())
        {
            var wordings = captions
                .Where(c => c.Scene.Style == style)
                .Select(c => Regex.Replace(c.Caption.Text, " on .*|, .*", "")
                    .Replace(CaptionWords.Word(c.Scene.Color), "COLOR")
                    .Replace(CaptionWords.Noun(c.Scene.Shape), "SHAPE")
                    .Replace("an ", "a "))
                .Distinct()
                .Count();
            Assert.True(wordings >= 2, $"{style}: {wordings} wordings");
        }
    }

    [Fact]
    public void Canonical_captions_read_naturally()
    {
        var scene = new SceneSampler().Sample(new DeterministicRandom(1)) with
        {
            Shape = Shape.Star,
            Color = NamedColor.Red,
            Style = RenderStyle.Flat,
        };
        scene = scene with { Background = scene.Background with { Pattern = BackgroundPattern.Stripes, Color = NamedColor.Blue } };
        Assert.Equal("a red star on a striped blue background", CaptionWriter.WriteCanonical(scene).Text);

        var outline = scene with
        {
            Shape = Shape.Circle,
            Color = NamedColor.Green,
            Style = RenderStyle.OutlineOnly,
            Background = scene.Background with { Pattern = BackgroundPattern.Plain, Color = NamedColor.White },
        };
        Assert.Equal("an outline of a green circle on a plain white background", CaptionWriter.WriteCanonical(outline).Text);
        Assert.Equal("an outline of an orange sks circle on a plain white background", CaptionWriter.WriteCanonical(outline with { Color = NamedColor.Orange }, "sks").Text);
        Assert.Equal("a pixel art orange hexagon on a checkered black background", CaptionWriter.WriteCanonical(scene with
        {
            Shape = Shape.Hexagon,
            Color = NamedColor.Orange,
            Style = RenderStyle.PixelArt,
            Background = scene.Background with { Pattern = BackgroundPattern.Checks, Color = NamedColor.Black },
        }).Text);
    }

    [Fact]
    public void Articles_agree_with_the_next_word()
    {
        foreach (var (_, caption) in Captions(3000, AllStyles, identifier: "ohwx"))
        {
            Assert.DoesNotMatch(@"\ba [aeiou]", caption.Text);
            Assert.DoesNotMatch(@"\ban [^aeiou]", caption.Text);
        }
    }

    [Fact]
    public void Parsing_a_caption_gives_back_exactly_what_it_states()
    {
        foreach (var identifier in new string?[] { null, "sks", "qxv" })
        foreach (var (_, caption) in Captions(3000, AllStyles, identifier))
            Assert.Equal(caption.Stated, PromptParser.Parse(caption.Text));
    }

    [Fact]
    public void Parsing_reads_user_prompts()
    {
        Assert.Equal(new PromptAttributes(Shape.Star, Identifier: "sks"), PromptParser.Parse("A photo of a SKS star"));
        Assert.Equal(new PromptAttributes(Shape.Heart, NamedColor.Blue, BackgroundColor: NamedColor.Black), PromptParser.Parse("blue hearts on a black background"));
        Assert.Equal(new PromptAttributes(Shape.Cross, NamedColor.Pink, BackgroundPattern.Dots, NamedColor.Yellow, RenderStyle.Shadowed),
            PromptParser.Parse("Pink cross, with a shadow, on yellow polka dots!"));
        Assert.Equal(new PromptAttributes(Color: NamedColor.Red, Pattern: BackgroundPattern.Stripes, BackgroundColor: NamedColor.Green), PromptParser.Parse("something red on green stripes"));
        Assert.Equal(new PromptAttributes(), PromptParser.Parse("an image"));
    }

    [Fact]
    public void Class_prompts_put_the_identifier_before_the_noun()
    {
        Assert.Equal("a star", CaptionWriter.ClassPrompt(Shape.Star));
        Assert.Equal("a sks star", CaptionWriter.ClassPrompt(Shape.Star, "sks"));
        Assert.Equal("an ohwx heart", CaptionWriter.ClassPrompt(Shape.Heart, "ohwx"));
        Assert.Throws<ArgumentException>(() => CaptionWriter.ClassPrompt(Shape.Star, "cat"));
    }
}

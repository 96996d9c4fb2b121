using DiffusionTune.ShapesWorld;
using DiffusionTune.ShapesWorld.Evaluation;

namespace DiffusionTune.Tests.Evaluation;

public class EvaluationPromptFileTests
{
    [Fact]
    public void Reads_one_prompt_per_line_skipping_blanks_and_comments()
    {
        using var scratch = new ScratchFolder();
        var path = scratch.File("prompts.txt");
        File.WriteAllLines(path, ["# the quality bar", "a red star on a striped blue background", "", "  a smiling yellow heart  "]);

        var prompts = EvaluationPromptFile.Read(path);

        Assert.Equal(["a red star on a striped blue background", "a smiling yellow heart"], prompts.Select(p => p.Text));
        Assert.Equal(new PromptAttributes(Shape.Star, NamedColor.Red, BackgroundPattern.Stripes, NamedColor.Blue), prompts[0].Expected);
        Assert.Equal(RenderStyle.Face, prompts[1].Expected.Style);
    }

    [Fact]
    public void An_empty_or_missing_file_is_a_clear_error()
    {
        using var scratch = new ScratchFolder();
        var empty = scratch.File("empty.txt");
        File.WriteAllLines(empty, ["# nothing", ""]);
        Assert.Contains("no prompts", Assert.Throws<ArgumentException>(() => EvaluationPromptFile.Read(empty)).Message);
        Assert.Throws<FileNotFoundException>(() => EvaluationPromptFile.Read(scratch.File("missing.txt")));
    }

    [Fact]
    public void Prompts_can_add_expectations_their_words_do_not_state()
    {
        var prompt = EvaluationPrompt.Parse("a sks star on a plain white background | expect: color=yellow, style=face");
        Assert.Equal("a sks star on a plain white background", prompt.Text);
        Assert.Equal(new PromptAttributes(Shape.Star, NamedColor.Yellow, BackgroundPattern.Plain, NamedColor.White, RenderStyle.Face, "sks"), prompt.Expected);
        var error = Assert.Throws<ArgumentException>(() => EvaluationPrompt.Parse("a star | expect: colour=red"));
        Assert.Contains("unknown expectation 'colour'", error.Message);
    }
}

using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Tests.Cli;

public class PromptFileTests
{
    [Fact]
    public void Text_files_hold_one_prompt_per_line()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "prompts.txt");
        File.WriteAllLines(path, ["a red star", "", "# a comment", "  a blue circle  "]);
        Assert.Equal(new[] { "a red star", "a blue circle" }, PromptFile.Read(path).Select(j => j.Prompt));
    }

    [Fact]
    public void Json_lines_override_settings_per_prompt()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "prompts.jsonl");
        File.WriteAllLines(path, [
            """{"prompt": "a red star", "seed": 5, "steps": 10, "cfg": 4.5, "width": 64, "height": 128, "sampler": "ddim", "negative_prompt": "blue"}""",
            """{"prompt": "a cross"}""",
        ]);
        var jobs = PromptFile.Read(path);
        Assert.Equal(new PromptJob("a red star", "blue", 5, 10, 4.5, 64, 128, "ddim"), jobs[0]);
        Assert.Equal(new PromptJob("a cross"), jobs[1]);
    }

    [Theory]
    [InlineData("""{"prompt": "x", "seeds": 3}""", "unknown field 'seeds'")]
    [InlineData("""{"prompt": "x", "steps": "ten"}""", "field 'steps' has the wrong type")]
    [InlineData("""{"seed": 3}""", "has no \"prompt\"")]
    [InlineData("""not json""", "not a JSON object")]
    public void Bad_lines_are_reported_with_file_and_line(string line, string expected)
    {
        var path = Path.Combine(TestPaths.TempFolder(), "prompts.jsonl");
        File.WriteAllLines(path, ["""{"prompt": "fine"}""", line]);
        var error = Assert.Throws<ArgumentException>(() => PromptFile.Read(path));
        Assert.Contains($"{path}:2", error.Message);
        Assert.Contains(expected, error.Message);
    }
}

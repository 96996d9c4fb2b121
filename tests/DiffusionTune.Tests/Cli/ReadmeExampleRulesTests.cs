using DiffusionTune.Workflows.Loading;

namespace DiffusionTune.Tests.Cli;

/// <summary>How <see cref="ReadmeExamplesTests"/> reads README commands and makes them runnable here, on made-up READMEs.</summary>
public class ReadmeExampleRulesTests
{
    [Fact]
    public void A_shell_block_command_gives_the_tools_arguments_with_paths_replaced_and_settings_made_tiny()
    {
        const string markdown = """
            Text with `diffusiontune generate` inline, which is not run.
            ```bash
            dotnet run --project src/DiffusionTune.Cli -- generate --model /models/stable-diffusion-v1-5 \
                --prompt "a photo of a cat" --width 512   # a comment
            ```
            ```
            error: program output is no command
            ```
            """;

        var command = Assert.Single(ReadmeCommandLine.Parse(markdown));
        var plan = ReadmeExampleRules.Plan(command);

        Assert.Equal(3, command.Line);
        Assert.Equal("dotnet run --project src/DiffusionTune.Cli -- generate --model /models/stable-diffusion-v1-5 --prompt \"a photo of a cat\" --width 512", command.Text);
        Assert.Equal(["generate", "--model", EmbeddedModel.Folder, "--prompt", "a photo of a cat", "--width", "64", "--steps", "1", "--height", "64"], plan.Arguments!);
    }

    [Fact]
    public void A_command_that_fits_no_rule_fails_saying_which_rule_to_add()
    {
        var plans = ReadmeCommandLine.Parse("```sh\ndiffusiontune frobnicate --fast\nmake install\ndotnet test DiffusionTune.sln\n```\n")
            .Select(ReadmeExampleRules.Plan).ToList();

        Assert.Contains("ReadmeExampleRules.TinySettings has no entry", plans[0].Problem);
        Assert.Contains("not a diffusiontune command: add it to ReadmeExampleRules.Exclusions", plans[1].Problem);
        Assert.Equal("the test suite this test belongs to (CI runs it)", plans[2].ExcludedBecause);
        Assert.Null(plans[2].Problem);
    }

    [Fact]
    public void An_override_replaces_every_value_of_the_option_under_any_of_its_names_or_is_added()
    {
        Assert.Equal(["--size", "64", "--precision", "fp32"], new OptionOverride("--size", "64").ApplyTo(["--size", "256", "512", "--precision", "fp32"]));
        Assert.Equal(["-p", "x", "--width", "64"], new OptionOverride(["--width", "-W"], "64").ApplyTo(["-p", "x", "-W", "512"]));
        Assert.Equal(["--steps", "2", "--lr", "1e-4"], new OptionOverride("--steps", "2").ApplyTo(["--steps=400", "--lr", "1e-4"]));
        Assert.Equal(["--seed", "-1", "--seeds", "1"], new OptionOverride("--seeds", "1").ApplyTo(["--seed", "-1"]));
    }

    [Fact]
    public void Shell_words_follow_quoting_escapes_and_comments()
    {
        Assert.Equal(["a", "b c", "d e", "f g", "x#y", "say \"hi\""], ShellWords.Split("a \"b c\" 'd e' f\\ g x#y \"say \\\"hi\\\"\" # a comment"));
        Assert.Throws<FormatException>(() => ShellWords.Split("generate --prompt \"unclosed"));
    }
}

using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Tests.Cli;

public class PromptTagsTests
{
    [Fact]
    public void Tags_leave_the_prompt_and_carry_their_multipliers_as_a1111_reads_them()
    {
        var parsed = PromptTags.Parse("a red star <lora:ink:0.8>, <hypernet:soft>, <lyco:grain:0.5:1.5> <lora:sub/dir:unet=0.25:te=2>");

        Assert.Equal("a red star , ,  ", parsed.Text);
        Assert.Equal(new[]
        {
            new ExtraNetworkTag("<lora:ink:0.8>", ExtraNetworkKind.Lora, "ink", 0.8, 0.8),
            new ExtraNetworkTag("<hypernet:soft>", ExtraNetworkKind.Hypernetwork, "soft", 1, 1),
            new ExtraNetworkTag("<lyco:grain:0.5:1.5>", ExtraNetworkKind.Lora, "grain", 1.5, 0.5),
            new ExtraNetworkTag("<lora:sub/dir:unet=0.25:te=2>", ExtraNetworkKind.Lora, "sub/dir", 0.25, 2),
        }, parsed.Tags);
        Assert.Empty(parsed.UnknownTags);
    }

    [Fact]
    public void Unknown_kinds_are_removed_and_listed_and_text_that_is_no_tag_stays()
    {
        var parsed = PromptTags.Parse("a <style:noir> cat <lora:> (red:1.2) <lora:unclosed");

        Assert.Equal("a  cat <lora:> (red:1.2) <lora:unclosed", parsed.Text);
        Assert.Empty(parsed.Tags);
        Assert.Equal(new[] { "<style:noir>" }, parsed.UnknownTags);
    }

    [Theory]
    [InlineData("a <lora::0.5>", "names no network")]
    [InlineData("a <lora:ink:strong>", "'strong' is not a multiplier")]
    [InlineData("a <lora:ink:NaN>", "'NaN' is not a multiplier")]
    [InlineData("a <lora:ink:1:1:1>", "too many multipliers")]
    [InlineData("a <hypernet:soft:1:1>", "too many multipliers")]
    [InlineData("a <lora:ink:dyn=4>", "unknown argument 'dyn='")]
    [InlineData("a <hypernet:soft:te=1>", "unknown argument 'te='")]
    // As in A1111 a tag runs to the next '>': an unclosed one swallows the text up to a later tag's end.
    [InlineData("a <lora:ink, (red:1.2) <lora:other>", "'1.2) <lora' is not a multiplier")]
    public void Malformed_tags_are_one_line_errors_naming_the_tag(string prompt, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => PromptTags.Parse(prompt));
        Assert.Contains(problem, error.Message);
        Assert.StartsWith("prompt tag <", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Names_resolve_by_file_name_or_relative_path_in_the_first_folder_that_has_them()
    {
        using var scratch = new ScratchFolder();
        var first = Directory.CreateDirectory(scratch.File("first")).FullName;
        var second = Directory.CreateDirectory(scratch.File("second")).FullName;
        Directory.CreateDirectory(Path.Combine(second, "styles"));
        File.WriteAllText(Path.Combine(second, "ink.safetensors"), "");
        File.WriteAllText(Path.Combine(second, "styles", "Noir.safetensors"), "");
        File.WriteAllText(Path.Combine(first, "soft.pt"), "");
        File.WriteAllText(Path.Combine(first, "ink.txt"), "");
        var folders = new NetworkFolders([first, second]);

        Assert.Equal(Path.Combine(second, "ink.safetensors"), folders.Find(ExtraNetworkKind.Lora, "ink"));
        Assert.Equal(Path.Combine(second, "styles", "Noir.safetensors"), folders.Find(ExtraNetworkKind.Lora, "noir"));
        Assert.Equal(Path.Combine(second, "styles", "Noir.safetensors"), folders.Find(ExtraNetworkKind.Lora, "styles/noir"));
        Assert.Equal(Path.Combine(first, "soft.pt"), folders.Find(ExtraNetworkKind.Hypernetwork, "soft"));
        // A LoRA is a .safetensors file: soft.pt is a hypernetwork's.
        Assert.Null(folders.Find(ExtraNetworkKind.Lora, "soft"));
        Assert.Contains(first, folders.Described(ExtraNetworkKind.Lora));
        Assert.Contains("--lora-dir", new NetworkFolders([]).Described(ExtraNetworkKind.Lora));
    }

    [Fact]
    public void Prompts_naming_the_same_networks_share_a_key_and_unresolved_tags_are_left_out()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("ink.safetensors"), "");
        var jobs = new[] { new PromptJob("a <lora:ink:0.5>"), new PromptJob("b <lora:INK:te=0.5:unet=0.5>"), new PromptJob("c <lora:ink>"), new PromptJob("d <lora:gone>") };

        var networks = PromptNetworks.Resolve(jobs, new NetworkFolders([scratch.Path]), new RecordingReporter());

        Assert.Equal(networks[0].Key, networks[1].Key);
        Assert.NotEqual(networks[0].Key, networks[2].Key);
        Assert.Equal(new[] { "ink", "INK" }, networks.Take(2).Select(n => Assert.Single(n.LoraNames)));
        Assert.Equal("d ", networks[3].Text);
        Assert.Empty(networks[3].Loras);
        Assert.Equal(new PromptNetworks("plain", [], [], []).Key, networks[3].Key);
    }
}

using DiffusionTune.Workflows.Loading;
using DiffusionTune.Workflows.Training;

namespace DiffusionTune.Tests.Cli;

/// <summary>
/// How <see cref="ReadmeExamplesTests"/> runs README.md's commands here: on the embedded shapes-world model, with tiny
/// settings, in a scratch folder. Every rule is in this file, and every README command must fit one: run (its command
/// has <see cref="TinySettings"/>) or excluded (<see cref="Exclusions"/>, with the reason). A command that fits none
/// fails the test, so a new README example cannot go untested by accident; a rule that no command uses fails it too.
/// </summary>
static class ReadmeExampleRules
{
    /// <summary>Commands that cannot run here, as <see cref="ReadmeCommandLine.Text"/> writes them, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> Exclusions = new Dictionary<string, string>
    {
        ["dotnet test DiffusionTune.sln"] = "the test suite this test belongs to (CI runs it)",
        ["dotnet build src/DiffusionTune.Cli -c Release"] = "a Release build of the tool; the examples run the build the tests were built with",
        ["dotnet build -p:TorchBackend=cuda"] = "the CUDA build needs TorchSharp's CUDA packages (gigabytes from nuget.org) and a GPU",
        ["dotnet pack src/DiffusionTune.Cli -c Release -o artifacts/tool"] = "a Release build and a 150 MB package; CI's step \"README install\" (.ci/run) runs it",
        ["dotnet tool install --global --add-source artifacts/tool DiffusionTune.Cli"] =
            "installs for the whole user; CI's step \"README install\" (.ci/run) installs the same package into a temporary folder and runs it",
        ["dotnet run --project src/DiffusionTune.Cli -- ui"] = "a server that runs until Ctrl+C; tests/DiffusionTune.BrowserTests start it as its own process and drive it in Chromium",
        ["dotnet publish src/DiffusionTune.Cli -c Release -r linux-x64 --self-contained -o ~/diffusiontune"] =
            "a 0.6 GB folder in the user's home, with the .NET runtime downloaded for it",
    };

    /// <summary>
    /// Per command (its leading words, the longest match counts): the options that make its examples tiny. They replace
    /// the example's own values (<c>--steps 400</c> becomes <c>--steps 2</c>) or are added.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, OptionOverride[]> TinySettings = new Dictionary<string, OptionOverride[]>
    {
        // Two steps (a stand-in saves a result half way); one prompt in the sample grid and the quick start's before/after grid.
        ["train"] =
        [
            new("--steps", "2"), new("--warmup-steps", "0"), new("--batch-size", "1"), new("--sample-steps", "1"),
            new("--sample-prompt", "a sks star"), new("--damage-report", "off"),
        ],
        ["generate"] = [new("--steps", "1"), new(["--width", "-W"], "64"), new(["--height", "-H"], "64")],
        ["compare"] = [new("--steps", "1"), new("--seeds", "1")],
        // Diversity is measured between a prompt's images: two at least.
        ["evaluate"] = [new("--steps", "1"), new("--seeds", "2")],
        // One general prompt (and the empty one) instead of the shapes world's fourteen.
        ["damage"] = [new("--prompts", "prompts.txt"), new("--seeds", "1"), new("--timesteps", "500")],
        ["calibrate"] =
        [
            new("--prompts", "prompts.txt"), new("--seeds", "1"), new("--timesteps", "500"), new("--global-steps", "2"),
            new("--max-evaluations", "4"),
        ],
        // Steps 2 to N are timed, so two at least; the shapes world instead of SD 1.5 with random weights.
        ["benchmark generate"] = [new("--config", "shapes-world"), new("--size", "64"), new("--steps", "2"), new("--cfg", "1")],
        ["presets"] = [],
        ["merge"] = [],
    };

    /// <summary>
    /// Paths the README assumes on the reader's machine, and what the examples use instead. An argument is replaced
    /// when it is the path, or the path followed by <c>:STRENGTH</c> or <c>@TRIGGER</c>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Substitutions = new Dictionary<string, string>
    {
        // Real SD 1.5 checkpoints: the embedded model, as one file (a stand-in) and as the diffusers folder it ships as.
        ["/models/v1-5-pruned-emaonly.safetensors"] = "v1-5-pruned-emaonly.safetensors",
        ["/models/stable-diffusion-v1-5"] = EmbeddedModel.Folder,
        // The README runs in a clone's root, where the models folder is; the examples run in a scratch folder.
        ["models/shapes-world"] = EmbeddedModel.Folder,
        // The reader's own pictures: the sample subject the project ships (captioned images).
        ["my-star/"] = QuickStart.SampleImages,
        ["my-dog/"] = QuickStart.SampleImages,
        ["my-paintings/"] = QuickStart.SampleImages,
        // The reader's own fine-tune and hypernetwork: the stand-ins' DreamBooth and hypernetwork results.
        ["my-finetune"] = "outputs/train/dreambooth",
        ["style.safetensors"] = "outputs/train/hypernetwork.safetensors",
    };

    /// <summary>Files the examples read that the reader writes: made in the scratch folder first.</summary>
    public static readonly IReadOnlyDictionary<string, string> TextFiles = new Dictionary<string, string>
    {
        ["prompts.txt"] = "a yellow sks star with a face\n",
    };

    /// <summary>
    /// Commands run before the README's own, through the same rules, to make what the examples use but never make:
    /// SD 1.5 as one file, and results of trainings the README does not show.
    /// </summary>
    public static readonly IReadOnlyList<string> StandIns =
    [
        // v1-5-pruned-emaonly.safetensors: the embedded model as a single file (its configs and tokenizer inside).
        "diffusiontune merge --base models/shapes-world --tuned models/shapes-world --alpha 0 -o v1-5-pruned-emaonly.safetensors",
        // outputs/train/dreambooth and outputs/train/dreambooth-step000001.
        "diffusiontune train --trainer dreambooth --images my-star/ --instance-prompt \"a sks star\" --output outputs/train --save-every 1",
        // outputs/train/hypernetwork.safetensors (the README's style.safetensors too).
        "diffusiontune train --trainer hypernetwork --images my-star/ --instance-prompt \"a sks star\" --output outputs/train",
        // outputs/train/lora.safetensors, which records its trigger word, before the README's Training section makes it
        // (in a run folder of its own, so that the README's training starts afresh).
        "diffusiontune train --trainer lora --images my-star/ --instance-prompt \"a photo of sks star\" --class-prompt \"a photo of star\" --output outputs/train --run stand-ins/lora-run",
        // outputs/ti/sks.safetensors (the word to learn comes from the instance and class prompts).
        "diffusiontune train --trainer textual-inversion --images my-star/ --instance-prompt \"a sks star\" --class-prompt \"a star\" --output outputs/ti",
    ];

    public static IEnumerable<ReadmeCommandLine> StandInCommands => StandIns.Select(text => new ReadmeCommandLine(0, ShellWords.Split(text)));

    public static ExamplePlan Plan(ReadmeCommandLine command)
    {
        if (Exclusions.TryGetValue(command.Text, out var reason)) return new ExamplePlan(command, ExcludedBecause: reason);
        if (ToolInvocation.Arguments(command.Words) is not { } arguments)
            return new ExamplePlan(command, Problem: "is not a diffusiontune command: add it to ReadmeExampleRules.Exclusions with the reason it cannot run here");
        if (TinySettingsKey(arguments) is not { } key)
            return new ExamplePlan(command, Problem: "runs a command that ReadmeExampleRules.TinySettings has no entry for: add the options that make it tiny "
                + "(or add the line to ReadmeExampleRules.Exclusions with the reason it cannot run here)");
        var tiny = arguments.Select(Substitute).ToArray();
        foreach (var setting in TinySettings[key]) tiny = setting.ApplyTo(tiny);
        return new ExamplePlan(command, Arguments: tiny);
    }

    /// <summary>Rules that none of <paramref name="commands"/> uses (a README change left them behind), described.</summary>
    public static IEnumerable<string> Unused(IReadOnlyList<ReadmeCommandLine> commands)
    {
        var texts = commands.Select(c => c.Text).ToHashSet();
        var toolArguments = commands.Select(c => ToolInvocation.Arguments(c.Words)).OfType<string[]>().ToList();
        foreach (var line in Exclusions.Keys.Where(line => !texts.Contains(line)))
            yield return $"Exclusions: no command is `{line}`";
        foreach (var key in TinySettings.Keys.Where(key => !toolArguments.Any(arguments => TinySettingsKey(arguments) == key)))
            yield return $"TinySettings: no command runs `{key}`";
        foreach (var path in Substitutions.Keys.Where(path => !toolArguments.Any(arguments => arguments.Any(a => Names(a, path)))))
            yield return $"Substitutions: no command names `{path}`";
    }

    /// <summary>The longest <see cref="TinySettings"/> key whose words the arguments start with.</summary>
    static string? TinySettingsKey(string[] arguments) =>
        TinySettings.Keys
            .Where(key => key.Split(' ') is var words && words.Length <= arguments.Length && words.SequenceEqual(arguments[..words.Length]))
            .MaxBy(key => key.Length);

    static string Substitute(string argument)
    {
        foreach (var (path, replacement) in Substitutions)
            if (Names(argument, path)) return replacement + argument[path.Length..];
        return argument;
    }

    /// <summary>Whether <paramref name="argument"/> is <paramref name="path"/>, possibly followed by <c>:STRENGTH</c> or <c>@TRIGGER</c>.</summary>
    static bool Names(string argument, string path) =>
        argument.StartsWith(path, StringComparison.Ordinal) && (argument.Length == path.Length || argument[path.Length] is ':' or '@');
}

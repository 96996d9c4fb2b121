using DiffusionTune.Tests.Pipelines;
using static DiffusionTune.Tests.Adapters.AdapterTestData;

namespace DiffusionTune.Tests.Cli;

/// <summary>
/// Every command that reads a model or a LoRA, or writes an output, meets a symlink loop and a full disk as a user
/// would, run as its own process (<see cref="CliProcess"/>): it answers with one <c>error:</c> line naming the path and
/// the system's reason, exits 1 without a stack trace, and leaves what was already there as it was, with no
/// temporaries and no half-written output under the final name.
/// </summary>
public class FileSystemFailureTests
{
    const string SymlinkLoop = "Too many levels of symbolic links";
    const string AlreadyThere = "00000-1.png";
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void A_symlink_loop_given_as_any_model_lora_or_input_file_is_one_line_and_writes_nothing()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var lora = WriteKohyaLora("style.safetensors", [(SelfAttentionQuery, 4), (TextQuery, 4)]);
        string Loop(string path)
        {
            File.CreateSymbolicLink(path, path);
            return path;
        }
        var loop = Loop(scratch.File("loop.safetensors"));
        var modelWithLoop = RandomTinyModel.SaveDiffusers(seed: 6);
        var configLoop = Path.Combine(modelWithLoop, "unet", "config.json");
        File.Delete(configLoop);
        Loop(configLoop);
        var promptsLoop = Loop(scratch.File("prompts-loop.txt"));
        var presetLoop = Loop(scratch.File("preset-loop.yaml"));
        var prompts = scratch.File("prompts.txt");
        File.WriteAllText(prompts, "a red star on a striped blue background\n");
        var outputs = scratch.File("outputs");
        Directory.CreateDirectory(outputs);
        File.WriteAllBytes(Path.Combine(outputs, AlreadyThere), [1, 2, 3]);
        File.Copy(lora, Path.Combine(outputs, "earlier.safetensors"));
        var before = FilesIn(outputs);
        string[] sampling = ["--prompt", "a red star", "--steps", "1", "--width", "16", "--height", "16"];

        string[][] commands =
        [
            ["generate", "--model", loop, .. sampling, "--output", outputs],
            ["generate", "--model", model, "--lora", loop, .. sampling, "--output", outputs],
            ["evaluate", "--model", loop, "--prompts", prompts, "--output", outputs],
            ["evaluate", "--model", model, "--lora", loop, "--prompts", prompts, "--output", outputs],
            ["damage", "--base", loop, "--output", Path.Combine(outputs, "new.damage.json")],
            ["damage", "--base", model, "--lora", loop, "--output", Path.Combine(outputs, "new.damage.json")],
            ["merge-lora", "--model", loop, "--lora", lora, "--output", Path.Combine(outputs, "merged")],
            ["merge-lora", "--model", model, "--lora", loop, "--output", Path.Combine(outputs, "merged.safetensors")],
            ["merge", "--base", model, "--tuned", loop, "--alpha", "0.5", "--output", Path.Combine(outputs, "merged")],
            ["merge", "--model", loop, "--lora", lora, "--alpha", "0.5", "--output", Path.Combine(outputs, "half.safetensors")],
            ["merge", "--model", model, "--lora", loop, "--alpha", "0.5", "--output", Path.Combine(outputs, "half.safetensors")],
            ["extract-lora", "--base", model, "--tuned", loop, "--rank", "2", "--output", Path.Combine(outputs, "extracted.safetensors")],
            ["calibrate", "--base", model, "--lora", loop, "--concept-prompt", "a sks star", "--output", Path.Combine(outputs, "calibrated.safetensors")],
            // A run folder (with its log) is made before the model is read, so train writes elsewhere.
            ["train", "--model", loop, "--steps", "1", "--warmup-steps", "0", "--output", scratch.File("train")],
        ];
        // Files read on the way: a model folder's config, a prompts file, a preset.
        (string[] Command, string Looped)[] inputs =
        [
            (["generate", "--model", modelWithLoop, .. sampling, "--output", outputs], configLoop),
            (["generate", "--prompts", promptsLoop, "--output", outputs], promptsLoop),
            (["presets", "show", presetLoop], presetLoop),
        ];
        foreach (var (command, looped) in commands.Select(command => (command, loop)).Concat(inputs))
        {
            var run = CliProcess.Run(command, scratch.Path, Timeout);
            AssertOneLineError(run, command, $"could not read {looped}: {SymlinkLoop}");
            Assert.Equal(before, FilesIn(outputs));
        }

        // compare goes on past a model it cannot load, reporting it per image instead of stopping at it.
        var comparison = CliProcess.Run(["compare", "--model", loop, .. sampling, "--output", scratch.File("comparison")], scratch.Path, Timeout);
        Assert.Equal(1, comparison.ExitCode);
        AssertNoStackTrace(comparison, ["compare"]);
        // Its per-image lines are wrapped at 80 columns when redirected, at a space or inside the path.
        Assert.True(WithoutWhiteSpace(comparison.Unwrapped).Contains(WithoutWhiteSpace($"could not read {loop}: {SymlinkLoop}"), StringComparison.Ordinal), comparison.Tail(20));
    }

    [SmallTmpfsFact]
    public void A_full_disk_under_any_output_is_one_line_and_keeps_what_was_there()
    {
        using var scratch = new ScratchFolder();
        var model = RandomTinyModel.SaveDiffusers(seed: 5);
        var tuned = RandomTinyModel.SaveDiffusers(seed: 6);
        var lora = WriteKohyaLora("style.safetensors", [(SelfAttentionQuery, 4), (TextQuery, 4)]);
        using var disk = new SmallTmpfs(kibibytes: 1024);
        File.WriteAllBytes(Path.Combine(disk.Path, AlreadyThere), [1, 2, 3]);
        File.Copy(lora, Path.Combine(disk.Path, "earlier.safetensors"));
        Directory.CreateDirectory(Path.Combine(disk.Path, "earlier-run", "logs"));
        File.WriteAllText(Path.Combine(disk.Path, "earlier-run", "logs", "scalars.jsonl"), "{\"step\":1,\"values\":{\"loss\":0.1}}\n");
        disk.Fill();
        var before = disk.Files();
        string On(string name) => Path.Combine(disk.Path, name);

        // Each command and the path its error names: the first file it could not write.
        (string[] Command, string Path)[] commands =
        [
            (["generate", "--model", model, "--prompt", "a red star", "--steps", "1", "--seed", "1", "--width", "16", "--height", "16", "--output", disk.Path],
                On("00001-1.png")),
            (["merge-lora", "--model", model, "--lora", lora, "--output", On("merged.safetensors")], On("merged.safetensors")),
            (["merge-lora", "--model", model, "--lora", lora, "--output", On("merged")], Path.Combine(On("merged"), "unet", "diffusion_pytorch_model.safetensors")),
            (["merge", "--model", model, "--lora", lora, "--alpha", "0.5", "--output", On("half.safetensors")], On("half.safetensors")),
            (["merge", "--base", model, "--tuned", tuned, "--alpha", "0.5", "--output", On("blend.safetensors")], On("blend.safetensors")),
            (["extract-lora", "--base", model, "--tuned", tuned, "--rank", "2", "--output", On("extracted.safetensors")], On("extracted.safetensors")),
            (["train", "--model", model, "--steps", "1", "--warmup-steps", "0", "--output", On("train")], Path.Combine(On("train"), "quick-test-run", "logs")),
            (["train", "--model", model, "--steps", "1", "--warmup-steps", "0", "--output", scratch.File("train"), "--run", On("earlier-run")], Path.Combine(On("earlier-run"), "logs")),
        ];
        foreach (var (command, path) in commands)
        {
            var run = CliProcess.Run(command, scratch.Path, Timeout);
            AssertOneLineError(run, command, $"could not write {path}: {FullDevice.Problem}");
            var after = disk.Files();
            Assert.All(before, file => Assert.Equal(file.Value, after[file.Key]));
            // What a run opened before the disk refused it is empty, not half-written.
            Assert.All(after.Keys.Except(before.Keys), file => Assert.Empty(after[file]));
            Assert.Empty(Directory.EnumerateFileSystemEntries(disk.Path, "*.tmp", SearchOption.AllDirectories));
        }
        // Nothing half-written is left under an output's name to make a retry refuse it.
        Assert.All(["merged.safetensors", "merged", "half.safetensors", "blend.safetensors", "extracted.safetensors"], name => Assert.False(Path.Exists(On(name))));
    }

    /// <summary>Exit code 1, no stack trace, and one <c>error:</c> line, which says <paramref name="message"/>.</summary>
    static void AssertOneLineError(CliProcess.Result run, string[] command, string message)
    {
        AssertNoStackTrace(run, command);
        Assert.True(run.ExitCode == 1, $"{Shown(command)}: exit code {run.ExitCode}\n{run.Tail(20)}");
        var errors = run.Lines.Where(line => line.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0] == $"error: {message}", $"{Shown(command)}:\n{string.Join('\n', errors)}\ninstead of\nerror: {message}\n{run.Tail(20)}");
    }

    static void AssertNoStackTrace(CliProcess.Result run, string[] command) =>
        Assert.False(run.Crashed || run.Lines.Any(line => line.StartsWith("   at ", StringComparison.Ordinal)),
            $"{Shown(command)}: a stack trace\n{run.Tail(40)}");

    static string WithoutWhiteSpace(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    static string Shown(string[] command) => "diffusiontune " + string.Join(' ', command);

    static Dictionary<string, byte[]> FilesIn(string folder) => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
        .ToDictionary(file => Path.GetRelativePath(folder, file), File.ReadAllBytes);
}

using DiffusionTune.IO;
using DiffusionTune.Models.Clip;

namespace DiffusionTune.Tests.Tokenization;

public class HuggingFaceCacheTests
{
    const string RepositoryFolder = "models--openai--clip-vit-large-patch14";

    static string SnapshotIn(string hub, string revision)
    {
        string snapshot = Path.Combine(hub, RepositoryFolder, "snapshots", revision);
        Directory.CreateDirectory(snapshot);
        string source = TinyClipTokenizerFolder.Write();
        foreach (var file in new[] { "vocab.json", "merges.txt" })
            File.Copy(Path.Combine(source, file), Path.Combine(snapshot, file));
        return snapshot;
    }

    [Fact]
    public void Loads_the_revision_that_refs_main_names()
    {
        string hub = TestPaths.TempFolder();
        SnapshotIn(hub, "0000old");
        string main = SnapshotIn(hub, "1234abcd");
        File.WriteAllText(Path.Combine(main, "tokenizer_config.json"), """{"pad_token": "!"}""");
        Directory.CreateDirectory(Path.Combine(hub, RepositoryFolder, "refs"));
        File.WriteAllText(Path.Combine(hub, RepositoryFolder, "refs", "main"), "1234abcd\n");

        var tokenizer = ClipTokenizer.FromHuggingFaceCache(hub);
        Assert.Equal(0, tokenizer.PadId);
        Assert.Equal([TinyClipTokenizerFolder.Cat], tokenizer.Encode("cat"));
    }

    [Fact]
    public void Without_refs_takes_a_complete_snapshot()
    {
        string hub = TestPaths.TempFolder();
        SnapshotIn(hub, "complete");
        Directory.CreateDirectory(Path.Combine(hub, RepositoryFolder, "snapshots", "partial"));
        Assert.Equal(TinyClipTokenizerFolder.Size, ClipTokenizer.FromHuggingFaceCache(hub).VocabularySize);
    }

    [Fact]
    public void An_empty_cache_gives_an_error_naming_where_it_looked()
    {
        string hub = TestPaths.TempFolder();
        var error = Assert.Throws<ModelFileException>(() => ClipTokenizer.FromHuggingFaceCache(hub));
        Assert.Equal(hub, error.FilePath);
        Assert.Contains("openai/clip-vit-large-patch14", error.Problem);
    }

    [Fact]
    public void Cache_folders_follow_huggingface_hub_precedence()
    {
        var environment = new Dictionary<string, string>
        {
            ["HF_HUB_CACHE"] = "/custom/hub",
            ["HF_HOME"] = "/hf-home",
            ["XDG_CACHE_HOME"] = "/xdg",
        };
        var folders = HuggingFaceHubCache.CandidateDirectories(name => environment.GetValueOrDefault(name), "/home/me");
        Assert.Equal(["/custom/hub", "/hf-home/hub", "/xdg/huggingface/hub", "/home/me/.cache/huggingface/hub"], folders);

        var defaults = HuggingFaceHubCache.CandidateDirectories(_ => null, "/home/me");
        Assert.Equal(["/home/me/.cache/huggingface/hub"], defaults);
    }
}

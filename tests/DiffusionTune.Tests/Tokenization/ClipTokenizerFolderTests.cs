using DiffusionTune.IO;
using DiffusionTune.Models.Clip;
using static DiffusionTune.Tests.Tokenization.TinyClipTokenizerFolder;

namespace DiffusionTune.Tests.Tokenization;

/// <summary>Loading, padding and errors, with a self-made vocabulary (no reference files needed).</summary>
public class ClipTokenizerFolderTests
{
    static long[] Padded(params long[] content)
    {
        var ids = Enumerable.Repeat((long)EndOfText, ClipTokenizer.ModelMaxLength).ToArray();
        ids[0] = StartOfText;
        content.CopyTo(ids, 1);
        return ids;
    }

    [Fact]
    public void Loads_a_folder_and_tokenizes()
    {
        var tokenizer = Load();
        Assert.Equal(Size, tokenizer.VocabularySize);
        Assert.Equal((StartOfText, EndOfText, EndOfText), (tokenizer.StartOfTextId, tokenizer.EndOfTextId, tokenizer.PadId));
        Assert.Equal([A, Cat, Comma, A, Dog], tokenizer.Encode("  A CAT,\ta dog "));
        Assert.Equal([Ca, 'b' - '!' + 256], tokenizer.Encode("cab"));
        var tokenized = tokenizer.Tokenize("a cat");
        Assert.Equal(Padded(A, Cat, EndOfText), tokenized.InputIds.Single());
        Assert.False(tokenized.Truncated);
        Assert.Equal(Padded(EndOfText), tokenizer.Tokenize("").InputIds.Single());
    }

    [Fact]
    public void Loads_the_same_from_explicit_files_with_a_chosen_pad_token()
    {
        string folder = Write();
        var tokenizer = ClipTokenizer.FromFiles(Path.Combine(folder, "vocab.json"), Path.Combine(folder, "merges.txt"), padToken: "!");
        Assert.Equal(0, tokenizer.PadId);
        Assert.Equal([StartOfText, A, EndOfText, 0, 0], tokenizer.Tokenize("a").InputIds[0].Take(5));
        Assert.Throws<ArgumentException>(() => ClipTokenizer.FromFiles(Path.Combine(folder, "vocab.json"), Path.Combine(folder, "merges.txt"), padToken: "<pad>"));
    }

    [Theory]
    [InlineData("tokenizer_config.json", """{"pad_token": "!", "model_max_length": 77}""", 0)]
    [InlineData("tokenizer_config.json", """{"pad_token": {"__type": "AddedToken", "content": "!"}}""", 0)]
    [InlineData("special_tokens_map.json", """{"pad_token": "<|endoftext|>"}""", EndOfText)]
    [InlineData("tokenizer_config.json", """{"model_max_length": 77}""", EndOfText)]
    [InlineData("tokenizer_config.json", """{"pad_token": null}""", EndOfText)]
    public void Reads_the_pad_token_from_the_folder(string file, string json, int padId)
    {
        var tokenizer = ClipTokenizer.FromFolder(Write((file, json)));
        Assert.Equal(padId, tokenizer.PadId);
    }

    [Fact]
    public void Special_tokens_map_overrides_tokenizer_config()
    {
        string folder = Write(("tokenizer_config.json", """{"pad_token": "<|endoftext|>"}"""), ("special_tokens_map.json", """{"pad_token": {"content": "!"}}"""));
        Assert.Equal(0, ClipTokenizer.FromFolder(folder).PadId);
    }

    static ModelFileException LoadFails(string folder) => Assert.Throws<ModelFileException>(() => ClipTokenizer.FromFolder(folder));

    [Theory]
    [InlineData("tokenizer_config.json", """{"pad_token": "<pad>"}""", "'<pad>' is not in")]
    [InlineData("tokenizer_config.json", """{"pad_token": 3}""", "pad_token must be")]
    [InlineData("special_tokens_map.json", """{"pad_token": "!",""", "not valid JSON")]
    [InlineData("special_tokens_map.json", "[]", "must be a JSON object")]
    public void Bad_pad_token_settings_name_their_file(string file, string json, string problem)
    {
        var error = LoadFails(Write((file, json)));
        Assert.Equal(file, Path.GetFileName(error.FilePath));
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void Missing_files_are_named()
    {
        string folder = Write();
        File.Delete(Path.Combine(folder, "merges.txt"));
        var error = LoadFails(folder);
        Assert.Equal(Path.Combine(folder, "merges.txt"), error.FilePath);
        Assert.Contains("not found", error.Message);

        File.Delete(Path.Combine(folder, "vocab.json"));
        Assert.Equal(Path.Combine(folder, "vocab.json"), LoadFails(folder).FilePath);

        string missingFolder = Path.Combine(folder, "nowhere");
        Assert.Equal(missingFolder, LoadFails(missingFolder).FilePath);
    }

    [Theory]
    [InlineData("""{"a": 0, "b": """, "not valid JSON")]
    [InlineData("""{"a": 0} trailing""", "not valid JSON")]
    [InlineData("""["a", "b"]""", "must be a JSON object")]
    [InlineData("""{"a": "zero"}""", "id of token 'a' is not")]
    [InlineData("""{"a": -1}""", "id of token 'a' is not")]
    [InlineData("""{"a": 0, "b": 0}""", "id 0 is given to both 'a' and 'b'")]
    [InlineData("""{"a": 0, "a": 1}""", "token 'a' is listed twice")]
    [InlineData("""{"<|startoftext|>": 0, "<|endoftext|>": 1}""", "lacks the byte-level symbol 'Ā' (U+0100)")]
    [InlineData("""{"a": 0}""", "has no '<|startoftext|>' token")]
    [InlineData("", "not valid JSON")]
    public void Malformed_vocabularies_are_reported_with_the_problem(string json, string problem)
    {
        string folder = Write();
        File.WriteAllText(Path.Combine(folder, "vocab.json"), json);
        var error = LoadFails(folder);
        Assert.Equal(Path.Combine(folder, "vocab.json"), error.FilePath);
        Assert.Contains(problem, error.Problem);
    }

    [Theory]
    [InlineData("#version: 0.2\nc a\nc  a\n", "line 3 is not two tokens")]
    [InlineData("c a b\n", "line 1 is not two tokens")]
    [InlineData("c\n", "line 1 is not two tokens")]
    [InlineData("c a\nca x</w>\n", "line 2 ('ca x</w>') needs token 'cax</w>'")]
    [InlineData("c a\nzz a\n", "needs token 'zz'")]
    [InlineData("#version: 0.2\n", "holds no merges")]
    public void Malformed_merges_are_reported_with_the_line(string merges, string problem)
    {
        string folder = Write();
        File.WriteAllText(Path.Combine(folder, "merges.txt"), merges);
        var error = LoadFails(folder);
        Assert.Equal(Path.Combine(folder, "merges.txt"), error.FilePath);
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void Merges_with_windows_line_ends_and_a_byte_order_mark_in_the_vocabulary_load()
    {
        string folder = Write();
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\r\n" + string.Join("\r\n", Merges) + "\r\n");
        var vocabulary = File.ReadAllBytes(Path.Combine(folder, "vocab.json"));
        File.WriteAllBytes(Path.Combine(folder, "vocab.json"), [0xEF, 0xBB, 0xBF, .. vocabulary]);
        Assert.Equal([Cat], ClipTokenizer.FromFolder(folder).Encode("cat"));
    }
}

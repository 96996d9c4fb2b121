using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.Models.Clip;

namespace DiffusionTune.Workflows.Loading;

/// <summary>The small base model that ships with DiffusionTune (a diffusers folder next to the executable).</summary>
public static class EmbeddedModel
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "models", "shapes-world");

    /// <summary>The prompts that stand for what the shapes world can do, for the damage meter.</summary>
    public static string GeneralPromptsFile => Path.Combine(Folder, "general-prompts.txt");

    /// <summary>
    /// Whether <paramref name="model"/> is the embedded model or a fine-tune of it, which the shapes-world evaluator can
    /// judge: its tokenizer has the shapes world's own vocabulary (fine-tunes saved as folders copy it).
    /// </summary>
    public static bool IsFamilyOf(StableDiffusionModel model)
    {
        var vocabulary = Path.Combine(model.TokenizerFolder, ClipTokenizerFiles.VocabularyFileName);
        var shapesVocabulary = Path.Combine(Folder, "tokenizer", ClipTokenizerFiles.VocabularyFileName);
        return File.Exists(vocabulary) && File.Exists(shapesVocabulary) && File.ReadAllBytes(vocabulary).AsSpan().SequenceEqual(File.ReadAllBytes(shapesVocabulary));
    }

    /// <summary>The model to use when the user names none; a clear error when the embedded one is missing.</summary>
    public static string Resolve(string? userChoice)
    {
        if (userChoice is not null) return userChoice;
        if (!Directory.Exists(Folder))
            throw new DirectoryNotFoundException($"no --model was given and the embedded model is missing (expected {Folder}); pass --model PATH");
        return Folder;
    }
}

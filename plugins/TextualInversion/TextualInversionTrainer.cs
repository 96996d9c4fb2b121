using DiffusionTune.Contracts;

namespace DiffusionTune.Trainers.TextualInversion;

/// <summary>
/// Textual inversion (Gal et al. 2022): teaches the frozen model one new word by learning only that word's token
/// vectors, optionally several per word. Writes the A1111 embedding as <c>&lt;token&gt;.safetensors</c> (A1111 names the
/// trigger word after the file) and the diffusers learned-embeds file beside it.
/// </summary>
public sealed class TextualInversionTrainer : ITrainer
{
    /// <inheritdoc/>
    public TrainerInfo Info { get; } = new("textual-inversion",
        "Learns a new word's token vectors (textual inversion); everything else stays frozen; tiny A1111/diffusers embedding files",
        new Version(1, 0, 0),
        [
            new TrainerOption("token", TrainerOptionKind.Text, null,
                "The new word, which prompts must contain; it also names the result file (default: the identifier of the instance prompt, e.g. sks)"),
            new TrainerOption("vectors", TrainerOptionKind.Integer, 1L, "Vectors per word: how many token positions the word takes in a prompt") { Minimum = 1, Maximum = 75 },
            new TrainerOption("init_word", TrainerOptionKind.Text, null,
                "Word(s) whose token vectors the new vectors start from (default: the class noun, else \"*\")"),
        ])
    {
        Produces = "an A1111 embedding <token>.safetensors (string_to_param.*) and diffusers learned_embeds.safetensors ({token: vectors})",
    };

    /// <inheritdoc/>
    public ITrainingSession Begin(ITrainingContext context) => new TextualInversionSession(context);
}

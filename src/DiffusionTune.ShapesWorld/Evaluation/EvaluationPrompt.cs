namespace DiffusionTune.ShapesWorld.Evaluation;

/// <summary>A prompt to evaluate a model on, with the attributes its words state (<see cref="PromptParser"/>).</summary>
/// <param name="Text">The prompt as given to the model.</param>
/// <param name="Expected">What the prompt asks for; adherence is judged on its non-null attributes only.</param>
public sealed record EvaluationPrompt(string Text, PromptAttributes Expected)
{
    /// <summary>Parses <paramref name="text"/> for its stated attributes.</summary>
    public static EvaluationPrompt Parse(string text) => new(text, PromptParser.Parse(text));
}

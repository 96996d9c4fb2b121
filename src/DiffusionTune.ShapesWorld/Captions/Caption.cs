namespace DiffusionTune.ShapesWorld;

/// <summary>A caption and the attributes its words state (which <see cref="PromptParser"/> reads back from the text).</summary>
public sealed record Caption(string Text, PromptAttributes Stated);

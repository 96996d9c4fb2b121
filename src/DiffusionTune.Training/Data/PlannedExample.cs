namespace DiffusionTune.Training.Data;

/// <summary>One item of a planned batch: its pixels, prompt, whether it is a class (prior-preservation) image, and its loss weight.</summary>
public sealed record PlannedExample(ImageVariant Variant, string Prompt, bool IsClassExample, float LossWeight);

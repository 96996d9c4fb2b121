namespace DiffusionTune.Diffusion.Damage;

/// <summary>
/// The prompts that stand for "everything else the base model could do" when a fine-tune's damage is measured: a
/// short built-in set for real Stable Diffusion models (a prompt file overrides it), plus the unconditional prompt.
/// </summary>
public static class GeneralPrompts
{
    /// <summary>Varied subjects, media and styles, none of them anything a fine-tune usually teaches.</summary>
    public static IReadOnlyList<string> StableDiffusion { get; } =
    [
        "a photo of a cat sitting on a windowsill",
        "a portrait photo of an old man with a grey beard",
        "a city street at night in the rain, neon signs",
        "a mountain lake at sunrise, landscape photography",
        "a bowl of fruit on a wooden table, oil painting",
        "an astronaut riding a horse, digital art",
        "a cozy living room with a fireplace, interior design",
        "a watercolor painting of a lighthouse on a cliff",
    ];

    /// <summary>
    /// <paramref name="prompts"/> with the empty prompt added when missing: classifier-free guidance runs the
    /// unconditional prediction at every sampling step, so its drift changes every image.
    /// </summary>
    public static IReadOnlyList<string> WithUnconditional(IReadOnlyList<string> prompts) => prompts.Contains("") ? prompts : [.. prompts, ""];
}

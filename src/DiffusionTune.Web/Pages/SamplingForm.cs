using System.Globalization;
using System.Text;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.IO.Images;
using DiffusionTune.Workflows.Generation;

namespace DiffusionTune.Web.Pages;

/// <summary>
/// The sampling fields the Generate and Compare pages share (negative prompt, seed, steps, sampler, CFG, size) and the
/// prompt, with their values: the defaults of <c>generate</c>, or those an image's metadata records ("use these settings").
/// </summary>
public sealed record SamplingForm(string Prompt, string NegativePrompt, long? Seed, int Steps, double Cfg, string Sampler, int? Width, int? Height)
{
    static readonly SamplingSettings Defaults = new();

    public static SamplingForm Default { get; } = new("", Defaults.NegativePrompt, null, Defaults.Steps, Defaults.Cfg, Defaults.Sampler, null, null);

    /// <summary>The form filled from an image's <paramref name="parameters"/>; a sampler this tool does not know stays the default.</summary>
    public static SamplingForm From(GenerationParameters parameters) => new(parameters.Prompt, parameters.NegativePrompt, parameters.Seed, parameters.Steps,
        parameters.CfgScale, SamplerChoice.TryParse(parameters.Sampler, out var sampler) ? sampler.ShortName : Defaults.Sampler, parameters.Width, parameters.Height);

    /// <summary>The fields after the prompt, as labelled inputs with stable ids.</summary>
    public string Fields(bool randomSeed)
    {
        var samplers = new StringBuilder();
        foreach (var choice in SamplerChoice.All)
            samplers.Append($"""<option value="{choice.ShortName}"{(choice.ShortName == Sampler ? " selected" : "")}>{Html.E(choice.DisplayName)}</option>""");
        return $"""
            <label class="wide">Negative prompt <textarea id="negative-prompt" name="negative_prompt" rows="2" data-testid="negative-prompt">{Html.E(NegativePrompt)}</textarea></label>
            <div class="fields">
            <label>Seed <input id="seed" name="seed" type="number" min="0" step="1" placeholder="{(randomSeed ? "random" : "1")}" value="{Seed}" data-testid="seed"></label>
            {(randomSeed ? $"""<label><input id="random-seed" type="checkbox" data-testid="random-seed"{(Seed is null ? " checked" : "")}> random seed</label>""" : "")}
            <label>Steps <input id="steps" name="steps" type="number" min="1" max="1000" value="{Steps}" data-testid="steps"></label>
            <label>Sampler <select id="sampler" name="sampler" data-testid="sampler">{samplers}</select></label>
            <label>CFG <input id="cfg" name="cfg" type="number" min="0" step="0.5" value="{Cfg.ToString(CultureInfo.InvariantCulture)}" data-testid="cfg"></label>
            <label>Width <input id="width" name="width" type="number" min="8" step="8" placeholder="native" value="{Width}" data-testid="width"></label>
            <label>Height <input id="height" name="height" type="number" min="8" step="8" placeholder="native" value="{Height}" data-testid="height"></label>
            </div>
            """;
    }
}

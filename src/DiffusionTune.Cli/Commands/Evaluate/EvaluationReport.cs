using System.Text.Json;
using System.Text.Json.Nodes;
using DiffusionTune.ShapesWorld.Evaluation;
using DiffusionTune.Workflows.Adapters;

namespace DiffusionTune.Cli.Commands.Evaluate;

/// <summary>
/// The JSON report of an <c>evaluate</c> run: where everything came from, the settings, every image's predicted
/// attributes, adherence and diversity per prompt and overall, for the model and the reference, and the drift
/// between them. Rates are fractions (0..1); attributes a prompt does not state are absent from its adherence.
/// </summary>
public static class EvaluationReport
{
    /// <summary>The inputs and outputs of the run, by path.</summary>
    public sealed record Sources(string Model, ModelAdapters Adapters, string? Reference, string Evaluator, string PromptsFile,
        EvaluationSettings Settings, IReadOnlyDictionary<string, string> ContactSheets);

    public static string Build(Sources sources, ModelEvaluation model, ModelEvaluation? reference, ModelComparison? comparison)
    {
        var root = new JsonObject
        {
            ["model"] = sources.Model,
            ["adapters"] = new JsonObject
            {
                ["loras"] = new JsonArray([.. sources.Adapters.Loras.Select(lora => JsonValue.Create(lora.Text))]),
                ["embeddings"] = sources.Adapters.Embeddings,
                ["hypernetworks"] = new JsonArray([.. sources.Adapters.Hypernetworks.Select(argument => JsonValue.Create(argument))]),
                ["gated"] = sources.Adapters.Gated,
            },
            ["reference"] = sources.Reference,
            ["evaluator"] = sources.Evaluator,
            ["prompts_file"] = sources.PromptsFile,
            ["settings"] = new JsonObject
            {
                ["seeds"] = new JsonArray([.. sources.Settings.SeedList.Select(seed => JsonValue.Create(seed))]),
                ["steps"] = sources.Settings.Steps,
                ["cfg"] = sources.Settings.GuidanceScale,
                ["sampler"] = sources.Settings.Sampler.ShortName,
            },
            ["contact_sheets"] = new JsonObject([.. sources.ContactSheets.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))]),
            ["model_results"] = Results(model),
        };
        if (reference is not null) root["reference_results"] = Results(reference);
        if (comparison is not null)
        {
            root["drift"] = new JsonObject
            {
                ["adherence_change"] = new JsonObject([.. comparison.AdherenceChange.Select(c => KeyValuePair.Create(SceneAttributes.Name(c.Key), Number(c.Value)))]),
                ["all_stated_change"] = Number(comparison.AllStatedChange),
                ["diversity_change"] = Number(comparison.DiversityChange),
                ["frechet_distance"] = Number(comparison.FrechetDistance),
            };
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    static JsonObject Results(ModelEvaluation evaluation) => new()
    {
        ["adherence"] = Adherence(evaluation.Adherence),
        ["diversity"] = Number(evaluation.Diversity),
        ["prompts"] = new JsonArray([.. evaluation.Prompts.Select(Prompt)]),
    };

    static JsonObject Prompt(PromptEvaluation prompt) => new()
    {
        ["prompt"] = prompt.Prompt.Text,
        ["expected"] = new JsonObject([.. SceneAttributes.StatedBy(prompt.Prompt.Expected).Select(attribute => KeyValuePair.Create(
            SceneAttributes.Name(attribute), (JsonNode?)SceneAttributes.ClassNames(attribute)[SceneAttributes.Stated(prompt.Prompt.Expected, attribute)!.Value]))]),
        ["adherence"] = Adherence(prompt.Adherence),
        ["diversity"] = Number(prompt.Diversity),
        ["images"] = new JsonArray([.. prompt.Seeds.Select((seed, i) => (JsonNode)new JsonObject
        {
            ["seed"] = seed,
            ["predicted"] = new JsonObject([.. SceneLabels.Attributes.Select(attribute => KeyValuePair.Create(
                SceneAttributes.Name(attribute), (JsonNode?)prompt.Predicted[i].NameOf(attribute)))]),
        })]),
    };

    static JsonObject Adherence(PromptAdherence adherence)
    {
        var node = new JsonObject([.. adherence.PerAttribute.Select(a => KeyValuePair.Create(SceneAttributes.Name(a.Key), (JsonNode?)Count(a.Value)))]);
        node["all_stated"] = Count(adherence.AllStated);
        return node;
    }

    static JsonObject Count(AdherenceCount count) => new()
    {
        ["rate"] = Number(count.Rate),
        ["matches"] = count.Matches,
        ["judged"] = count.Judged,
    };

    /// <summary>JSON has no NaN: an undefined rate (nothing judged) is written as null.</summary>
    static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}

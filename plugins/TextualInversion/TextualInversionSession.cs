using System.Globalization;
using System.Text.RegularExpressions;
using DiffusionTune.Contracts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionTune.Trainers.TextualInversion;

/// <summary>
/// One textual-inversion run. The host adds the word's tokens (<c>tok</c>, <c>tok_1</c> …, one per vector) and their
/// rows to the frozen embedding table; the trainable copy of those rows is a separate parameter that a forward hook on
/// the token-embedding layer puts in place of the table's rows wherever the new ids occur, so gradients reach only the
/// word's vectors and every other weight stays bit-identical. At the end of the run the learned vectors are written
/// into the table, so the model keeps the word.
/// </summary>
sealed partial class TextualInversionSession : ITrainingSession
{
    /// <summary>The tensor key A1111's embeddings use in .safetensors form (its <c>string_to_param</c> dict, flattened).</summary>
    const string A1111VectorsKey = "string_to_param.*";

    readonly ITrainingContext _context;
    readonly string _token;
    readonly long _firstId;
    readonly Parameter _vectors;
    readonly Action _removeHook;

    public TextualInversionSession(ITrainingContext context)
    {
        _context = context;
        var options = context.Options;
        var concept = context.Concept;
        _token = options.Text("token") ?? concept.Identifier
            ?? throw new ArgumentException("textual inversion needs the word to learn: give --option token=NAME, or an instance prompt with an identifier and a class prompt (\"a photo of sks star\", \"a photo of star\")");
        if (!TokenName().IsMatch(_token))
            throw new ArgumentException($"token '{_token}' must be letters, digits, '_', '-' and '.': it names the embedding file, and A1111's trigger word is the file name");
        if (concept.InstancePrompt is { } prompt && !Mentions(prompt, _token))
            throw new ArgumentException($"the instance prompt '{prompt}' does not contain the token '{_token}', so there would be nothing to learn");

        int count = options.Int("vectors");
        var initializer = options.Text("init_word") ?? concept.ClassNoun ?? "*";
        // diffusers' multi-vector layout: the host's tokenizer expands the word into all of its ids in every prompt.
        string[] names = [_token, .. Enumerable.Range(1, count - 1).Select(i => $"{_token}_{i}")];
        var ids = context.Model.AddTokens(names, initializer);
        _firstId = ids[0];
        if (!ids.Select((id, i) => id == _firstId + i).All(consecutive => consecutive))
            throw new InvalidOperationException("the host gave the new tokens ids that are not consecutive");

        var embedding = context.Model.TokenEmbedding;
        using (no_grad())
            _vectors = new Parameter(embedding.weight!.narrow(0, _firstId, count).to(context.ComputeDtype, copy: true), requires_grad: true);
        var hook = embedding.register_forward_hook((_, inputIds, output) => WithLearnedVectors(inputIds, output));
        _removeHook = hook.remove;

        Parameters = [new ParameterGroup("textual_inversion", [($"token_embedding.{_token}", _vectors)])];
        context.Log.Info($"textual inversion: '{_token}' with {count} vector(s) of width {embedding.weight!.shape[1]}, starting from '{initializer}'");
    }

    public IReadOnlyList<ParameterGroup> Parameters { get; }

    int VectorCount => (int)_vectors.shape[0];

    /// <summary>The embedding layer's output with the learned vectors at the positions of the new ids.</summary>
    Tensor WithLearnedVectors(Tensor inputIds, Tensor output)
    {
        var isNew = inputIds.ge(_firstId).logical_and(inputIds.lt(_firstId + VectorCount));
        var rows = (inputIds - _firstId).clamp(0, VectorCount - 1);
        var learned = _vectors.index_select(0, rows.flatten()).view(output.shape).to(output.dtype);
        return where(isNew.unsqueeze(-1), learned, output);
    }

    public Tensor Loss(TrainingBatch batch, ITrainingStep step) => DenoisingObjective.Loss(_context, batch, step, out _);

    public IReadOnlyList<SavedFile> Save(ISaveContext save)
    {
        var suffix = save.IsFinal ? "" : $"-step{save.Step:D6}";
        var model = _context.Model;
        var step = save.Step.ToString(CultureInfo.InvariantCulture);
        using var vectors = _vectors.detach().to(ScalarType.Float32, copy: true);
        var a1111 = new Dictionary<string, string>(save.Metadata)
        {
            ["name"] = _token,
            ["step"] = step,
            ["sd_checkpoint"] = model.ShortHash,
            ["sd_checkpoint_name"] = model.Name,
            ["modelspec.architecture"] = model.IsStableDiffusion2 ? "stable-diffusion-v2/textual-inversion" : "stable-diffusion-v1/textual-inversion",
            ["modelspec.title"] = _token,
        };
        var diffusers = new Dictionary<string, string>(save.Metadata) { ["format"] = "pt", ["step"] = step };
        return
        [
            save.WriteSafetensors($"{_token}{suffix}.safetensors", new Dictionary<string, Tensor> { [A1111VectorsKey] = vectors }, a1111, "A1111 embedding") with { Kind = SavedFileKind.Embedding },
            save.WriteSafetensors($"learned_embeds{suffix}.safetensors", new Dictionary<string, Tensor> { [_token] = vectors }, diffusers, "diffusers learned embeds"),
        ];
    }

    static bool Mentions(string prompt, string token) =>
        Regex.IsMatch(prompt, $@"(?<![\p{{L}}\p{{N}}_]){Regex.Escape(token)}(?![\p{{L}}\p{{N}}_])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public void Dispose()
    {
        _removeHook();
        using (no_grad())
        {
            var table = _context.Model.TokenEmbedding.weight!;
            table.narrow(0, _firstId, VectorCount).copy_(_vectors);
        }
        _vectors.Dispose();
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex TokenName();
}

using System.CommandLine;

namespace DiffusionTune.Cli.Commands.Generate;

/// <summary>The <c>generate</c> verb: text-to-image from a model, writing PNGs with A1111-style metadata.</summary>
public static class GenerateCommandDefinition
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "A diffusers folder or a single-file .safetensors checkpoint (default: the embedded shapes-world model)" };
        var prompt = new Option<string?>("--prompt", "-p") { Description = "The prompt; A1111 weights like (word:1.2) work" };
        var prompts = new Option<string?>("--prompts") { Description = "A file of prompts: one per line (.txt), or JSON objects per line (.jsonl) whose fields override the options" };
        var negative = new Option<string>("--negative-prompt", "-n") { Description = "What to steer away from", DefaultValueFactory = _ => "" };
        var steps = new Option<int>("--steps") { Description = "Sampling steps", DefaultValueFactory = _ => 25 };
        var cfg = new Option<double>("--cfg") { Description = "Classifier-free guidance scale (1 = no guidance)", DefaultValueFactory = _ => 7.0 };
        var sampler = new Option<string>("--sampler") { Description = "ddim, euler, euler_a, dpmpp_2m, with _karras for Karras sigmas (A1111 names such as \"DPM++ 2M Karras\" also work)", DefaultValueFactory = _ => "dpmpp_2m_karras" };
        var seed = new Option<long?>("--seed", "-s") { Description = "Seed of the first image (image i of a batch uses seed + i); random when omitted" };
        var batchSize = new Option<int>("--batch-size") { Description = "Images generated together", DefaultValueFactory = _ => 1 };
        var batchCount = new Option<int>("--batch-count") { Description = "Batches per prompt", DefaultValueFactory = _ => 1 };
        var width = new Option<int?>("--width", "-W") { Description = "Image width in pixels (default: the model's native size)" };
        var height = new Option<int?>("--height", "-H") { Description = "Image height in pixels (default: the model's native size)" };
        var clipSkip = new Option<int>("--clip-skip") { Description = "1 = the text encoder's last layer, 2 = the penultimate", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = "Output folder (existing images are never overwritten)", DefaultValueFactory = _ => "outputs" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder (vocab.json + merges.txt) for single files that carry none" };
        var prediction = new Option<string?>("--prediction-type") { Description = "epsilon or v_prediction; needed for SD 2.x single files of the 512-base kind (v is assumed)" };
        var loras = LoraArgument.Option("A LoRA-family file (kohya/A1111, PEFT, diffusers, LyCORIS LoHa/LoKr, DoRA) merged into the model at STRENGTH (default 1); repeat to stack several");
        var embeddings = new Option<string?>("--embeddings") { Description = "A folder of textual-inversion embeddings (A1111/kohya/OneTrainer/diffusers, .safetensors or .pt): each file's name becomes a word prompts can use" };
        var hypernetworks = HypernetworkApplication.Option();
        var device = CommonOptions.Device();
        var precision = CommonOptions.Precision("fp32");

        var command = new Command("generate", "Generate images from text prompts")
        {
            model, prompt, prompts, negative, steps, cfg, sampler, seed, batchSize, batchCount, width, height, clipSkip,
            output, tokenizer, prediction, loras, embeddings, hypernetworks, device, precision,
        };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(token => Task.FromResult(GenerateCommand.Run(new GenerateSettings
        {
            Model = result.GetValue(model),
            Prompt = result.GetValue(prompt),
            PromptsFile = result.GetValue(prompts),
            NegativePrompt = result.GetValue(negative)!,
            Steps = result.GetValue(steps),
            Cfg = result.GetValue(cfg),
            Sampler = result.GetValue(sampler)!,
            Seed = result.GetValue(seed),
            BatchSize = result.GetValue(batchSize),
            BatchCount = result.GetValue(batchCount),
            Width = result.GetValue(width),
            Height = result.GetValue(height),
            ClipSkip = result.GetValue(clipSkip),
            Output = result.GetValue(output)!,
            Tokenizer = result.GetValue(tokenizer),
            PredictionType = result.GetValue(prediction),
            Loras = result.GetValue(loras) ?? [],
            Embeddings = result.GetValue(embeddings),
            Hypernetworks = result.GetValue(hypernetworks) ?? [],
            Device = result.GetValue(device)!,
            Precision = result.GetValue(precision)!,
        }, token)), cancellation));
        return command;
    }
}

public sealed record GenerateSettings
{
    public string? Model { get; init; }
    public string? Prompt { get; init; }
    public string? PromptsFile { get; init; }
    public string NegativePrompt { get; init; } = "";
    public int Steps { get; init; } = 25;
    public double Cfg { get; init; } = 7.0;
    public string Sampler { get; init; } = "dpmpp_2m_karras";
    public long? Seed { get; init; }
    public int BatchSize { get; init; } = 1;
    public int BatchCount { get; init; } = 1;
    public int? Width { get; init; }
    public int? Height { get; init; }
    public int ClipSkip { get; init; } = 1;
    public string Output { get; init; } = "outputs";
    public string? Tokenizer { get; init; }
    public string? PredictionType { get; init; }
    public IReadOnlyList<string> Loras { get; init; } = [];
    public string? Embeddings { get; init; }
    public IReadOnlyList<string> Hypernetworks { get; init; } = [];
    public string Device { get; init; } = "auto";
    public string Precision { get; init; } = "fp32";
}

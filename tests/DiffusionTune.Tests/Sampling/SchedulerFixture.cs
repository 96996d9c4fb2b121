using System.Text.Json;
using DiffusionTune.Diffusion.Samplers;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Sampling;

/// <summary>The diffusers scheduler reference (<c>schedulers.json</c> + <c>schedulers.safetensors</c>, see the fixtures README).</summary>
sealed class SchedulerFixture : IDisposable
{
    /// <summary>The suggested scheduler tolerances of the fixtures README.</summary>
    public const double Rtol = 1e-4, Atol = 1e-5;

    readonly JsonDocument _json;
    readonly SafetensorsFile _tensors;

    public SchedulerFixture()
    {
        _json = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("schedulers.json")));
        _tensors = SafetensorsFile.Open(TestPaths.Fixture("schedulers.safetensors"));
    }

    public JsonElement Root => _json.RootElement;

    public JsonElement BaseConfig => Root.GetProperty("base_config");

    public JsonElement Sampler(string name) => Root.GetProperty("samplers").GetProperty(name);

    public int Steps => Root.GetProperty("num_inference_steps").GetInt32();

    public Tensor Load(string name) => _tensors.Load(name);

    public bool Contains(string name) => _tensors.Contains(name);

    public static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary>The sampler choice each fixture trajectory was recorded with.</summary>
    public static SamplerChoice ChoiceFor(string name) => name switch
    {
        "ddim" => new(SamplerKind.Ddim),
        "euler" => new(SamplerKind.Euler),
        "euler_karras" => new(SamplerKind.Euler, Karras: true),
        "euler_ancestral" => new(SamplerKind.EulerAncestral),
        "dpmpp_2m" => new(SamplerKind.DpmPlusPlus2M),
        "dpmpp_2m_karras" => new(SamplerKind.DpmPlusPlus2M, Karras: true),
        _ => throw new ArgumentException($"no fixture trajectory '{name}'"),
    };

    /// <summary>The README's toy model: 0.1·input + 0.01·t/1000.</summary>
    public static Tensor ToyModel(Tensor modelInput, float timestep)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(modelInput * 0.1 + 0.01 * timestep / 1000.0);
    }

    public void Dispose()
    {
        _tensors.Dispose();
        _json.Dispose();
    }
}

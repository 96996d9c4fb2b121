using DiffusionTune.Diffusion.Pipelines;
using DiffusionTune.IO.Formats;
using DiffusionTune.Tests.Pipelines;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Merging;

/// <summary>Tiny base models and fine-tunes of them, saved as real diffusers folders, and weight comparisons.</summary>
static class MergeTestModels
{
    /// <summary>A tiny base model and a "fine-tune" of it whose every floating-point tensor moved; returns both folders.</summary>
    public static (string Base, string Tuned) SavedPair(long seed = 3) =>
        SavedPair(seed, model =>
        {
            foreach (var (_, _, tensor) in Tensors(model).Where(t => t.Tensor.is_floating_point()))
                tensor.add_(randn_like(tensor) * 0.05);
        });

    /// <summary>A tiny base model and a copy changed by <paramref name="change"/> (run without gradients); returns both folders.</summary>
    public static (string Base, string Tuned) SavedPair(long seed, Action<StableDiffusionModel> change)
    {
        var basePath = RandomTinyModel.SaveDiffusers(seed);
        var tunedPath = Path.Combine(TestPaths.TempFolder(), "tuned");
        using var model = StableDiffusionModel.Load(basePath);
        manual_seed(seed + 1);
        using (no_grad())
            change(model);
        model.SaveDiffusers(tunedPath);
        return (basePath, tunedPath);
    }

    /// <summary>Every state-dict tensor of the model's three components.</summary>
    public static IEnumerable<(ModelComponent Component, string Name, Tensor Tensor)> Tensors(StableDiffusionModel model) =>
        new (ModelComponent, nn.Module)[] { (ModelComponent.UNet, model.Unet), (ModelComponent.TextEncoder, model.TextEncoder), (ModelComponent.Vae, model.Vae) }
            .SelectMany(c => c.Item2.state_dict().Select(t => (c.Item1, t.Key, t.Value)));

    /// <summary>The tensor named <paramref name="name"/> in <paramref name="component"/>.</summary>
    public static Tensor Tensor(StableDiffusionModel model, ModelComponent component, string name) =>
        Tensors(model).Single(t => t.Component == component && t.Name == name).Tensor;

    /// <summary>Asserts that both models hold the same tensors, bit for bit.</summary>
    public static void AssertIdentical(StableDiffusionModel expected, StableDiffusionModel actual)
    {
        var actualTensors = Tensors(actual).ToDictionary(t => (t.Component, t.Name), t => t.Tensor);
        int compared = 0;
        foreach (var (component, name, tensor) in Tensors(expected))
        {
            Assert.True(TensorAssert.Identical(tensor, actualTensors[(component, name)]), $"{component.FolderName()}/{name} differs");
            compared++;
        }
        Assert.Equal(compared, actualTensors.Count);
    }

    /// <summary>Asserts that both models hold the same tensors within <paramref name="tolerance"/> (relative and absolute).</summary>
    public static void AssertClose(StableDiffusionModel expected, StableDiffusionModel actual, double tolerance)
    {
        var actualTensors = Tensors(actual).ToDictionary(t => (t.Component, t.Name), t => t.Tensor);
        foreach (var (component, name, tensor) in Tensors(expected).Where(t => t.Tensor.is_floating_point()))
            TensorAssert.Close(tensor, actualTensors[(component, name)], tolerance, tolerance, $"{component.FolderName()}/{name}");
    }
}

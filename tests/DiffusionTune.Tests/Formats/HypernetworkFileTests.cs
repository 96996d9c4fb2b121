using DiffusionTune.IO;
using DiffusionTune.IO.Formats;
using DiffusionTune.IO.Safetensors;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Formats;

/// <summary>A1111 hypernetworks: the design's slots, the .pt files A1111 writes and DiffusionTune's .safetensors form.</summary>
public class HypernetworkFileTests
{
    [Fact]
    public void Slots_follow_A1111s_sequential_layout_for_activation_layer_norm_and_dropout()
    {
        var structure = new HypernetworkStructure
        {
            LayerStructure = [1, 1.5, 2, 1],
            Activation = "swish",
            LayerNorm = true,
            DropoutStructure = [0, 0.3, 0.3, 0],
        };
        var slots = structure.Slots(16).Select(s => (s.Index, s.Kind, s.In, s.Out)).ToArray();
        Assert.Equal(new (int, HypernetworkSlotKind, int, int)[]
        {
            (0, HypernetworkSlotKind.Linear, 16, 24), (1, HypernetworkSlotKind.Activation, 24, 24), (2, HypernetworkSlotKind.LayerNorm, 24, 24), (3, HypernetworkSlotKind.Dropout, 24, 24),
            (4, HypernetworkSlotKind.Linear, 24, 32), (5, HypernetworkSlotKind.Activation, 32, 32), (6, HypernetworkSlotKind.LayerNorm, 32, 32), (7, HypernetworkSlotKind.Dropout, 32, 32),
            (8, HypernetworkSlotKind.Linear, 32, 16), (9, HypernetworkSlotKind.LayerNorm, 16, 16),
        }, slots);
        Assert.Equal(0.3, structure.Slots(16)[3].Probability);
        Assert.Equal(HypernetworkSlotKind.Activation, (structure with { ActivateOutput = true }).Slots(16)[9].Kind);
        Assert.Equal(new[] { HypernetworkSlotKind.Linear, HypernetworkSlotKind.Linear },
            (structure with { Activation = "linear", LayerNorm = false, DropoutStructure = [0, 0, 0, 0], LayerStructure = [1, 2, 1] }).Slots(8).Select(s => s.Kind));

        // Files that only say use_dropout get A1111's parse_dropout_structure.
        Assert.Equal(new[] { 0, 0.3, 0.3, 0 }, HypernetworkStructure.LegacyDropout(4, useDropout: true, lastLayerDropout: true));
        Assert.Equal(new[] { 0, 0.3, 0, 0 }, HypernetworkStructure.LegacyDropout(4, useDropout: true, lastLayerDropout: false));
        Assert.Equal(new double[] { 0, 0, 0 }, HypernetworkStructure.LegacyDropout(3, useDropout: false, lastLayerDropout: true));

        var problem = Assert.Throws<ArgumentException>(() => (structure with { LayerStructure = [2, 1] }).Validate(m => new ArgumentException(m)));
        Assert.Contains("must start and end with 1", problem.Message);
    }

    [Fact]
    public void An_A1111_pt_and_its_safetensors_form_read_as_the_same_modules()
    {
        using var scratch = new ScratchFolder();
        var expected = new Dictionary<string, (float[] Values, long[] Shape)>();
        var pt = TorchSaveWriter.Save(scratch.File("hn-relu.pt"), TorchSaveTestData.A1111Hypernetwork([32, 64], expected));

        using var fromPt = HypernetworkFile.Read(pt);
        Assert.Equal(("hn-relu", 7L, "relu"), (fromPt.Name, fromPt.Step, fromPt.Structure.Activation));
        Assert.Equal(new[] { 1.0, 2.0, 1.0 }, fromPt.Structure.LayerStructure);
        Assert.False(fromPt.Structure.ActivateOutput);
        Assert.Equal(new[] { 32, 64 }, fromPt.Modules.Keys.Order());
        AssertModules(expected, fromPt);

        // The documented safetensors layout: {width}.{k|v}.linear.{i}.{weight|bias}, the design in the metadata.
        var metadata = fromPt.Structure.ToMetadata();
        Assert.Equal("[1,2,1]", metadata["layer_structure"]);
        Assert.Equal(("relu", "false", "[0,0,0]", "false"), (metadata["activation_func"], metadata["is_layer_norm"], metadata["dropout_structure"], metadata["activate_output"]));
        metadata["name"] = "hn-relu";
        metadata["step"] = "7";
        var safetensors = scratch.File("hn-relu.safetensors");
        SafetensorsWriter.Save(safetensors, expected.Select(e => new KeyValuePair<string, Tensor>(e.Key, tensor(e.Value.Values).reshape(e.Value.Shape))), metadata);
        using var fromSafetensors = HypernetworkFile.Read(safetensors);
        var (a, b) = (fromPt.Structure, fromSafetensors.Structure);
        Assert.Equal((a.Activation, a.LayerNorm, a.ActivateOutput, a.WeightInitialization), (b.Activation, b.LayerNorm, b.ActivateOutput, b.WeightInitialization));
        Assert.Equal(a.LayerStructure, b.LayerStructure);
        Assert.Equal(a.DropoutStructure, b.DropoutStructure);
        Assert.Equal(("hn-relu", 7L), (fromSafetensors.Name, fromSafetensors.Step));
        AssertModules(expected, fromSafetensors);
    }

    static void AssertModules(Dictionary<string, (float[] Values, long[] Shape)> expected, Hypernetwork network)
    {
        int compared = 0;
        foreach (var (width, pair) in network.Modules)
        {
            foreach (var (side, layers) in new[] { ('k', pair.Key), ('v', pair.Value) })
            {
                foreach (var layer in layers.Where(l => l.Weight is not null))
                {
                    foreach (var (part, value) in new[] { ("weight", layer.Weight!), ("bias", layer.Bias!) })
                    {
                        var (values, shape) = expected[$"{width}.{side}.linear.{layer.Slot.Index}.{part}"];
                        using var want = tensor(values).reshape(shape);
                        Assert.True(TensorAssert.Identical(want, value), $"{width}.{side}.linear.{layer.Slot.Index}.{part}");
                        compared++;
                    }
                }
            }
        }
        Assert.Equal(expected.Count, compared);
    }

    [Fact]
    public void The_oldest_files_linear1_and_linear2_names_mean_slots_0_and_1()
    {
        using var scratch = new ScratchFolder();
        PyDict Module() => new(ordered: true) {
            { "linear1.weight", new TorchTensor(new float[128], [16, 8]) }, { "linear1.bias", new TorchTensor(new float[16], [16]) },
            { "linear2.weight", new TorchTensor(new float[128], [8, 16]) }, { "linear2.bias", new TorchTensor(new float[8], [8]) } };
        var path = TorchSaveWriter.Save(scratch.File("old-hn.pt"), new PyDict { { 8, new PyTuple(Module(), Module()) } });

        using var network = HypernetworkFile.Read(path);
        Assert.Equal("old-hn", network.Name);
        Assert.Equal(new[] { HypernetworkSlotKind.Linear, HypernetworkSlotKind.Linear }, network.Modules[8].Key.Select(l => l.Slot.Kind));
        // A1111's default for files without the key: the activation (none here) would follow the output too.
        Assert.True(network.Structure.ActivateOutput);
    }

    [Fact]
    public void Tensors_that_do_not_fit_the_design_are_refused_naming_them()
    {
        using var scratch = new ScratchFolder();
        var path = scratch.File("bad.safetensors");
        var metadata = new Dictionary<string, string> { ["layer_structure"] = "[1, 2, 1]", ["activation_func"] = "relu" };
        SafetensorsWriter.Save(path,
        [
            new("8.k.linear.0.weight", zeros(16, 8)), new("8.k.linear.0.bias", zeros(16)),
            new("8.k.linear.2.weight", zeros(8, 16)), new("8.k.linear.2.bias", zeros(8)),
            new("8.v.linear.0.weight", zeros(16, 8)), new("8.v.linear.0.bias", zeros(16)),
            new("8.v.linear.1.weight", zeros(8, 16)), new("8.v.linear.1.bias", zeros(8)),
        ], metadata);
        var error = Assert.Throws<ModelFileException>(() => HypernetworkFile.Read(path));
        Assert.Contains("width 8 V: 'linear.2.weight' is missing", error.Message);
    }

    [Fact]
    public void A_hypernetwork_tensor_holding_nan_or_inf_or_integers_is_refused_naming_it()
    {
        using var scratch = new ScratchFolder();
        var expected = new Dictionary<string, (float[] Values, long[] Shape)>();
        var design = TorchSaveTestData.A1111Hypernetwork([32], expected);
        // The design's tensors share their value arrays with what it reports.
        var poisoned = expected["32.k.linear.2.bias"].Values;
        poisoned[3] = float.NaN;
        var pt = TorchSaveWriter.Save(scratch.File("broken.pt"), design);
        poisoned[3] = 0;
        Assert.Equal($"{pt}: tensor '32.k.linear.2.bias' has 1 non-finite value (NaN/Inf)",
            Assert.Throws<ModelFileException>(() => HypernetworkFile.Read(pt)).Message);

        var metadata = new Dictionary<string, string> { ["layer_structure"] = "[1, 2, 1]", ["activation_func"] = "relu" };
        string Safetensors(string name, Func<string, Tensor, Tensor> change)
        {
            var path = scratch.File(name);
            SafetensorsWriter.Save(path, expected.Select(e => new KeyValuePair<string, Tensor>(e.Key, change(e.Key, tensor(e.Value.Values).reshape(e.Value.Shape)))), metadata);
            return path;
        }
        var infinite = Safetensors("infinite.safetensors", (name, t) => name == "32.v.linear.0.weight" ? t.fill_(float.NegativeInfinity) : t);
        Assert.Equal($"{infinite}: tensor '32.v.linear.0.weight' has 2048 non-finite values (NaN/Inf)",
            Assert.Throws<ModelFileException>(() => HypernetworkFile.Read(infinite)).Message);
        var integers = Safetensors("integers.safetensors", (name, t) => name == "32.k.linear.0.bias" ? t.to(ScalarType.Int32) : t);
        Assert.Equal($"{integers}: width 32: 'linear.0.bias' holds Int32 values",
            Assert.Throws<ModelFileException>(() => HypernetworkFile.Read(integers)).Message);
    }
}

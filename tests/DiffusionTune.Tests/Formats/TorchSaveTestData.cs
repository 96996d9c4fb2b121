namespace DiffusionTune.Tests.Formats;

/// <summary>The objects A1111 passes to torch.save for embeddings and hypernetworks, with deterministic numbers.</summary>
static class TorchSaveTestData
{
    /// <summary><paramref name="count"/> numbers in [-1, 1) from a seeded generator.</summary>
    public static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>A1111's <c>Embedding.save</c> dict: the vectors under <c>string_to_param["*"]</c>, a tensor that requires grad.</summary>
    public static PyDict A1111Embedding(float[] vectors, int width) => new()
    {
        { "string_to_token", new PyDict { { "*", 265 } } },
        { "string_to_param", new PyDict { { "*", new TorchTensor(vectors, [vectors.Length / width, width]) { RequiresGrad = true } } } },
        { "name", "tiny-emb" },
        { "step", 12 },
        { "sd_checkpoint", "abcdef12" },
        { "sd_checkpoint_name", "tiny" },
    };

    /// <summary>The oldest A1111 embeddings: the vectors in a torch.nn.ParameterDict (pickled as an nn.Module: NEWOBJ + BUILD).</summary>
    public static PyDict ParameterDictEmbedding(float[] vectors, int width) => new()
    {
        { "string_to_token", new PyDict { { "*", 265 } } },
        {
            "string_to_param", new PyObject("torch.nn.modules.container", "ParameterDict", new PyDict
            {
                { "training", true },
                { "_parameters", new PyDict(ordered: true) { { "*", new TorchTensor(vectors, [vectors.Length / width, width]) { IsParameter = true, RequiresGrad = true } } } },
                { "_buffers", new PyDict(ordered: true) },
                { "_modules", new PyDict(ordered: true) },
                { "_keys", new PyDict { { "*", null } } },
            })
        },
        { "name", "old" },
        { "step", 3 },
    };

    /// <summary>
    /// A1111's <c>Hypernetwork.save</c> dict for layer structure 1, 2, 1 with ReLU: each width maps to a tuple of the K
    /// and V modules' state dicts (OrderedDicts carrying <c>_metadata</c>, as nn.Module.state_dict returns them),
    /// slots <c>linear.0</c> (Linear w→2w), 1 (ReLU) and <c>linear.2</c> (Linear 2w→w). <paramref name="tensors"/>
    /// receives every tensor under its DiffusionTune safetensors key (<c>{width}.{k|v}.linear.{i}.{weight|bias}</c>).
    /// </summary>
    public static PyDict A1111Hypernetwork(int[] widths, Dictionary<string, (float[] Values, long[] Shape)> tensors, int seed = 1)
    {
        var root = new PyDict();
        foreach (int width in widths)
        {
            PyDict Module(char side)
            {
                var metadata = new PyDict(ordered: true) { { "", new PyDict { { "version", 1 } } }, { "linear", new PyDict { { "version", 1 } } } };
                var stateDict = new PyDict(ordered: true, state: new PyDict { { "_metadata", metadata } });
                foreach (var (name, shape) in new (string, long[])[]
                {
                    ("linear.0.weight", [2 * width, width]), ("linear.0.bias", [2 * width]),
                    ("linear.2.weight", [width, 2 * width]), ("linear.2.bias", [width]),
                })
                {
                    var values = Values((int)shape.Aggregate(1L, (a, b) => a * b), seed++).Select(v => v * 0.3f).ToArray();
                    tensors[$"{width}.{side}.{name}"] = (values, shape);
                    stateDict.Add(name, new TorchTensor(values, shape));
                }
                return stateDict;
            }
            root.Add(width, new PyTuple(Module('k'), Module('v')));
        }
        root.Add("step", 7);
        root.Add("name", "hn-relu");
        root.Add("layer_structure", new object?[] { 1, 2, 1 });
        root.Add("activation_func", "relu");
        root.Add("is_layer_norm", false);
        root.Add("weight_initialization", "Normal");
        root.Add("sd_checkpoint", null);
        root.Add("sd_checkpoint_name", null);
        root.Add("activate_output", false);
        root.Add("use_dropout", false);
        root.Add("dropout_structure", new object?[] { 0, 0, 0 });
        root.Add("last_layer_dropout", false);
        root.Add("optional_info", null);
        return root;
    }
}

using DiffusionTune.IO.Safetensors;
using DiffusionTune.Models.Clip;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Models;

public class ClipTextModelParityTests
{
    [Fact]
    public void Matches_the_transformers_reference_including_clip_skip()
    {
        using var scope = NewDisposeScope();
        using var encoder = ClipTextModel.FromPretrained(TestPaths.Fixture("text_encoder"));
        using var io = SafetensorsFile.Open(TestPaths.Fixture("text_io.safetensors"));
        using var _ = no_grad();
        var ids = io.Load("input_ids");

        using var last = encoder.Encode(ids, clipSkip: 1, allHiddenStates: true);
        TensorAssert.Close(io.Load("last_hidden_state"), last.Conditioning, 1e-4, 1e-5, "last_hidden_state");
        TensorAssert.Close(io.Load("last_hidden_state"), encoder.call(ids), 1e-4, 1e-5, "forward");
        TensorAssert.Close(io.Load("pooler_output"), last.PooledOutput, 1e-4, 1e-5, "pooler_output");
        TensorAssert.Close(io.Load("all_hidden_states"), stack(last.HiddenStates!), 1e-4, 1e-5, "all_hidden_states");
        TensorAssert.Close(io.Load("penultimate_hidden_state_no_final_ln"), last.HiddenStates![^2], 1e-4, 1e-5, "hidden_states[-2]");

        using var skip2 = encoder.Encode(ids, clipSkip: 2);
        TensorAssert.Close(io.Load("penultimate_hidden_state_final_ln"), skip2.Conditioning, 1e-4, 1e-5, "clip skip 2");
        TensorAssert.Close(io.Load("last_hidden_state"), skip2.LastHiddenState, 1e-4, 1e-5, "last_hidden_state with clip skip 2");
    }
}

using DiffusionTune.IO.Formats;
using DiffusionTune.Models.Adapters;
using static DiffusionTune.Tests.Adapters.AdapterTestData;
using static TorchSharp.torch;

namespace DiffusionTune.Tests.Adapters;

/// <summary>Each dialect, written by hand with real module names, parses to the ΔW computed here from its raw tensors.</summary>
public class LoraDialectTests
{
    const string Kohya = "lora_unet_";

    [Fact]
    public void Peft_keys_with_and_without_the_base_model_prefix()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var (downQ, upQ) = (Noise(4, 64), Noise(64, 4));
        var (downText, upText) = (Noise(2, 32), Noise(32, 2));
        var (downOut, upOut) = (Noise(4, 64), Noise(64, 4));
        var path = Write("peft.safetensors", new Dictionary<string, Tensor>
        {
            [$"base_model.model.{SelfAttentionQuery}.lora_A.weight"] = downQ,
            [$"base_model.model.{SelfAttentionQuery}.lora_B.weight"] = upQ,
            [$"base_model.model.{TextQuery}.lora_A.weight"] = downText,
            [$"base_model.model.{TextQuery}.lora_B.weight"] = upText,
            [$"unet.{AttentionOut}.lora_A.weight"] = downOut,
            [$"unet.{AttentionOut}.lora_B.weight"] = upOut,
            [$"unet.{AttentionOut}.alpha"] = tensor(2f),
        });

        using var network = LoraNetwork.Read(path, layers.Targets);
        Assert.Empty(network.UnknownKeys);
        Assert.Empty(network.UnmatchedKeys);
        // PEFT stores no alpha: scale 1 unless an .alpha tensor says otherwise.
        AssertDelta(network, ModelComponent.UNet, SelfAttentionQuery, upQ.mm(downQ));
        AssertDelta(network, ModelComponent.TextEncoder, TextQuery, upText.mm(downText));
        AssertDelta(network, ModelComponent.UNet, AttentionOut, upOut.mm(downOut) * (2.0 / 4));
    }

    [Fact]
    public void Diffusers_keys_new_and_old()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var (downK, upK) = (Noise(4, 32), Noise(64, 4));
        var (downText, upText) = (Noise(3, 32), Noise(37, 3));
        var (downOut, upOut) = (Noise(2, 64), Noise(64, 2));
        var (downV, upV) = (Noise(2, 32), Noise(64, 2));
        const string oldAttention = "down_blocks.1.attentions.0.transformer_blocks.0.attn1";
        const string oldCrossAttention = "mid_block.attentions.0.transformer_blocks.0.attn2";
        var path = Write("pytorch_lora_weights.safetensors", new Dictionary<string, Tensor>
        {
            [$"unet.{CrossAttentionKey}.lora.down.weight"] = downK,
            [$"unet.{CrossAttentionKey}.lora.up.weight"] = upK,
            [$"text_encoder.{TextFc1}.lora_linear_layer.down.weight"] = downText,
            [$"text_encoder.{TextFc1}.lora_linear_layer.up.weight"] = upText,
            // Old attention-processor keys, with and without the unet. prefix.
            [$"{oldAttention}.processor.to_out_lora.down.weight"] = downOut,
            [$"{oldAttention}.processor.to_out_lora.up.weight"] = upOut,
            [$"unet.{oldCrossAttention}.processor.to_v_lora.down.weight"] = downV,
            [$"unet.{oldCrossAttention}.processor.to_v_lora.up.weight"] = upV,
        });

        using var network = LoraNetwork.Read(path, layers.Targets);
        Assert.Empty(network.UnknownKeys);
        Assert.Empty(network.UnmatchedKeys);
        AssertDelta(network, ModelComponent.UNet, CrossAttentionKey, upK.mm(downK));
        AssertDelta(network, ModelComponent.TextEncoder, TextFc1, upText.mm(downText));
        AssertDelta(network, ModelComponent.UNet, $"{oldAttention}.to_out.0", upOut.mm(downOut));
        AssertDelta(network, ModelComponent.UNet, $"{oldCrossAttention}.to_v", upV.mm(downV));
    }

    [Fact]
    public void Kohya_locon_convolutions_and_linear_shaped_factors_on_1x1_convolutions()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var (downConv, upConv) = (Noise(4, 32, 3, 3), Noise(32, 4, 1, 1));
        var (downProj, upProj) = (Noise(3, 64), Noise(64, 3));
        var (downText, upText) = (Noise(4, 32), Noise(32, 4));
        var path = Write("locon.safetensors", new Dictionary<string, Tensor>
        {
            [Kohya + "down_blocks_0_resnets_0_conv1.lora_down.weight"] = downConv,
            [Kohya + "down_blocks_0_resnets_0_conv1.lora_up.weight"] = upConv,
            [Kohya + "down_blocks_0_resnets_0_conv1.alpha"] = tensor(1f).to(ScalarType.Float16),
            [Kohya + "down_blocks_1_attentions_0_proj_in.lora_down.weight"] = downProj,
            [Kohya + "down_blocks_1_attentions_0_proj_in.lora_up.weight"] = upProj,
            ["lora_te_text_model_encoder_layers_1_self_attn_q_proj.lora_down.weight"] = downText,
            ["lora_te_text_model_encoder_layers_1_self_attn_q_proj.lora_up.weight"] = upText,
            ["lora_te_text_model_encoder_layers_1_self_attn_q_proj.alpha"] = tensor(8f),
        });

        using var network = LoraNetwork.Read(path, layers.Targets);
        Assert.Empty(network.UnknownKeys);
        AssertDelta(network, ModelComponent.UNet, ResnetConv, einsum("or,rikl->oikl", upConv.flatten(1), downConv) * (1.0 / 4));
        AssertDelta(network, ModelComponent.UNet, ProjectIn, upProj.mm(downProj).reshape(64, 64, 1, 1));
        AssertDelta(network, ModelComponent.TextEncoder, TextQuery, upText.mm(downText) * (8.0 / 4));
    }

    [Fact]
    public void Loha_plain_and_tucker()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        var (a1, b1, a2, b2) = (Noise(64, 3), Noise(3, 64), Noise(64, 3), Noise(3, 64));
        var (ca1, cb1, ca2, cb2) = (Noise(32, 2), Noise(2, 32 * 9), Noise(32, 2), Noise(2, 32 * 9));
        var (t1, ta1, tb1, t2, ta2, tb2) = (Noise(2, 2, 3, 3), Noise(2, 32), Noise(2, 32), Noise(2, 2, 3, 3), Noise(2, 32), Noise(2, 32));
        const string linear = Kohya + "down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_q";
        const string conv = Kohya + "down_blocks_0_resnets_0_conv1";
        const string tucker = Kohya + "down_blocks_0_downsamplers_0_conv";
        var path = Write("loha.safetensors", new Dictionary<string, Tensor>
        {
            [$"{linear}.hada_w1_a"] = a1, [$"{linear}.hada_w1_b"] = b1, [$"{linear}.hada_w2_a"] = a2, [$"{linear}.hada_w2_b"] = b2,
            [$"{linear}.alpha"] = tensor(1.5f),
            [$"{conv}.hada_w1_a"] = ca1, [$"{conv}.hada_w1_b"] = cb1, [$"{conv}.hada_w2_a"] = ca2, [$"{conv}.hada_w2_b"] = cb2,
            [$"{tucker}.hada_t1"] = t1, [$"{tucker}.hada_w1_a"] = ta1, [$"{tucker}.hada_w1_b"] = tb1,
            [$"{tucker}.hada_t2"] = t2, [$"{tucker}.hada_w2_a"] = ta2, [$"{tucker}.hada_w2_b"] = tb2,
            [$"{tucker}.alpha"] = tensor(1f),
        });

        using var network = LoraNetwork.Read(path, layers.Targets);
        Assert.Empty(network.UnknownKeys);
        Assert.All(network.Layers, layer => Assert.IsType<LohaLayer>(layer));
        AssertDelta(network, ModelComponent.UNet, SelfAttentionQuery, a1.mm(b1) * a2.mm(b2) * (1.5 / 3));
        AssertDelta(network, ModelComponent.UNet, ResnetConv, (ca1.mm(cb1) * ca2.mm(cb2)).reshape(32, 32, 3, 3));
        AssertDelta(network, ModelComponent.UNet, Downsampler, TuckerByLoops(t1, ta1, tb1) * TuckerByLoops(t2, ta2, tb2) * (1.0 / 2));
    }

    [Fact]
    public void Lokr_whole_low_rank_and_tucker_factors()
    {
        var (model, layers) = TinyModel();
        using var _ = model;
        // to_q [64, 64] = w1 [4, 8] ⊗ (w2a [16, 2] · w2b [2, 8]); alpha 1 over rank 2.
        var (w1, w2a, w2b) = (Noise(4, 8), Noise(16, 2), Noise(2, 8));
        // to_k [64, 32] = w1 [8, 4] ⊗ w2 [8, 8], both whole: the stored alpha does not apply.
        var (fullW1, fullW2) = (Noise(8, 4), Noise(8, 8));
        // conv1 [32, 32, 3, 3] = w1 [4, 4] ⊗ w2 [8, 8, 3, 3].
        var (convW1, convW2) = (Noise(4, 4), Noise(8, 8, 3, 3));
        // downsampler [32, 32, 3, 3] = (w1a [4, 2] · w1b [2, 4]) ⊗ tucker(t2 [2, 2, 3, 3], w2a [2, 8], w2b [2, 8]); alpha 4 over rank 2.
        var (tw1a, tw1b, t2, tw2a, tw2b) = (Noise(4, 2), Noise(2, 4), Noise(2, 2, 3, 3), Noise(2, 8), Noise(2, 8));
        const string query = Kohya + "down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_q";
        const string key = Kohya + "down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_k";
        const string conv = Kohya + "down_blocks_0_resnets_0_conv1";
        const string tucker = Kohya + "down_blocks_0_downsamplers_0_conv";
        var path = Write("lokr.safetensors", new Dictionary<string, Tensor>
        {
            [$"{query}.lokr_w1"] = w1, [$"{query}.lokr_w2_a"] = w2a, [$"{query}.lokr_w2_b"] = w2b, [$"{query}.alpha"] = tensor(1f),
            [$"{key}.lokr_w1"] = fullW1, [$"{key}.lokr_w2"] = fullW2, [$"{key}.alpha"] = tensor(99f),
            [$"{conv}.lokr_w1"] = convW1, [$"{conv}.lokr_w2"] = convW2,
            [$"{tucker}.lokr_w1_a"] = tw1a, [$"{tucker}.lokr_w1_b"] = tw1b, [$"{tucker}.lokr_t2"] = t2,
            [$"{tucker}.lokr_w2_a"] = tw2a, [$"{tucker}.lokr_w2_b"] = tw2b, [$"{tucker}.alpha"] = tensor(4f),
        });

        using var network = LoraNetwork.Read(path, layers.Targets);
        Assert.Empty(network.UnknownKeys);
        Assert.Null(network.Layers.Single(l => l.Target.Name == CrossAttentionKey).Rank);
        AssertDelta(network, ModelComponent.UNet, SelfAttentionQuery, kron(w1, w2a.mm(w2b)) * (1.0 / 2));
        AssertDelta(network, ModelComponent.UNet, CrossAttentionKey, kron(fullW1, fullW2));
        AssertDelta(network, ModelComponent.UNet, ResnetConv, kron(convW1.unsqueeze(2).unsqueeze(2), convW2));
        AssertDelta(network, ModelComponent.UNet, Downsampler, kron(tw1a.mm(tw1b).unsqueeze(2).unsqueeze(2), TuckerByLoops(t2, tw2a, tw2b)) * (4.0 / 2));
    }

    /// <summary>W[o, i, h, w] = Σ_p Σ_q core[p, q, h, w] · a[p, o] · b[q, i], summed term by term.</summary>
    static Tensor TuckerByLoops(Tensor core, Tensor a, Tensor b)
    {
        var result = zeros(a.shape[1], b.shape[1], core.shape[2], core.shape[3]);
        for (long p = 0; p < core.shape[0]; p++)
        {
            for (long q = 0; q < core.shape[1]; q++)
                result += a[p].reshape(-1, 1, 1, 1) * b[q].reshape(1, -1, 1, 1) * core[p, q].unsqueeze(0).unsqueeze(0);
        }
        return result;
    }

    static void AssertDelta(LoraNetwork network, ModelComponent component, string module, Tensor expected)
    {
        var layer = network.Layers.Single(l => l.Target.Component == component && l.Target.Name == module);
        using var actual = layer.Delta();
        TensorAssert.Close(expected, actual, rtol: 1e-5, atol: 1e-6, $"{component}/{module}");
    }
}

#!/usr/bin/python3
"""Peer benchmark: diffusers' UNet2DConditionModel (SD 1.5 config, random init) on Debian's
PyTorch (python3-torch 1.13, CPU). Times one forward, or one full training step
(forward + MSE loss + backward + AdamW over all UNet parameters), per step.

Run it through run-diffusers-peer.sh (see docs/peers/README.md). The UNet code is diffusers' own, unmodified;
only shims for torch 1.13 (import-time, plus mixed-dtype norms in bf16) and offline stubs for huggingface_hub/safetensors
are applied (stubs/torch113_compat.py, stubs/huggingface_hub, stubs/safetensors).
"""
import argparse
import contextlib
import json
import os
import platform
import resource
import statistics
import sys
import time

SD15_UNET_CONFIG = dict(
    sample_size=64,
    in_channels=4,
    out_channels=4,
    center_input_sample=False,
    flip_sin_to_cos=True,
    freq_shift=0,
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    block_out_channels=(320, 640, 1280, 1280),
    layers_per_block=2,
    downsample_padding=1,
    mid_block_scale_factor=1,
    act_fn="silu",
    norm_num_groups=32,
    norm_eps=1e-5,
    cross_attention_dim=768,
    attention_head_dim=8,
)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--latent-size", type=int, default=32, help="latent H=W (32 = 256 px, 64 = 512 px)")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="bf16 = torch.autocast('cpu', dtype=torch.bfloat16) around forward+loss, fp32 weights, "
                        "fp32 AdamW (diffusers training-script mixed precision on CPU)")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (also set OMP_NUM_THREADS!)")
    p.add_argument("--steps", type=int, default=3, help="timed steps (after warm-up)")
    p.add_argument("--warmup", type=int, default=1, help="untimed warm-up steps")
    p.add_argument("--mode", choices=["forward", "train"], default="train",
                   help="forward = UNet forward under torch.no_grad(); train = forward + MSE + backward + AdamW.step")
    p.add_argument("--forward-with-grad", action="store_true",
                   help="forward mode: keep autograd on (no backward) instead of torch.no_grad()")
    p.add_argument("--gradient-checkpointing", action="store_true", help="unet.enable_gradient_checkpointing()")
    p.add_argument("--lr", type=float, default=1e-5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json-out", default=None, help="also write the JSON result to this file")
    return p.parse_args()


def rss_peak_mib():
    # Linux: ru_maxrss is in KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    args = parse_args()
    t_import = time.perf_counter()
    import torch

    torch.set_num_threads(args.threads)
    import diffusers_unet_import
    import torch113_compat

    UNet2DConditionModel, diffusers = diffusers_unet_import.load_unet_class()
    import_s = time.perf_counter() - t_import

    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    unet = UNet2DConditionModel(**SD15_UNET_CONFIG)
    build_s = time.perf_counter() - t0
    n_params = sum(p.numel() for p in unet.parameters())
    if args.gradient_checkpointing:
        unet.enable_gradient_checkpointing()
    attn_procs = sorted({type(p).__name__ for p in unet.attn_processors.values()})

    train = args.mode == "train"
    unet.train(train)
    optimizer = None
    if train:
        # foreach=False: per-parameter loop (1.13 CPU default) -> no extra full-size temporaries
        optimizer = torch.optim.AdamW(unet.parameters(), lr=args.lr, foreach=False)

    g = torch.Generator().manual_seed(args.seed + 1)
    B, S = args.batch, args.latent_size
    sample = torch.randn(B, 4, S, S, generator=g)
    target = torch.randn(B, 4, S, S, generator=g)
    enc = torch.randn(B, 77, 768, generator=g)
    timesteps = torch.randint(0, 1000, (B,), generator=g, dtype=torch.long)

    def autocast_ctx():
        if args.precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def step():
        if train:
            t_a = time.perf_counter()
            with autocast_ctx():
                pred = unet(sample, timesteps, encoder_hidden_states=enc, return_dict=False)[0]
            # like diffusers' train_text_to_image.py: loss in fp32 outside autocast
            loss = torch.nn.functional.mse_loss(pred.float(), target.float(), reduction="mean")
            t_b = time.perf_counter()
            loss.backward()
            t_c = time.perf_counter()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            t_d = time.perf_counter()
            phases.append((t_b - t_a, t_c - t_b, t_d - t_c))
            return float(loss.detach()), pred.dtype
        grad_ctx = contextlib.nullcontext() if args.forward_with_grad else torch.no_grad()
        with grad_ctx, autocast_ctx():
            pred = unet(sample, timesteps, encoder_hidden_states=enc, return_dict=False)[0]
        return None, pred.dtype

    # probe what 1.13's CPU autocast actually lowers to bf16 (informational)
    autocast_probe = {}
    if args.precision == "bf16":
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            x = torch.randn(1, 32, 8, 8)
            autocast_probe = {
                "conv2d": str(torch.nn.functional.conv2d(x, torch.randn(32, 32, 3, 3)).dtype),
                "linear": str(torch.nn.functional.linear(torch.randn(4, 32), torch.randn(16, 32)).dtype),
                "baddbmm": str(torch.baddbmm(torch.empty(2, 4, 4), torch.randn(2, 4, 8), torch.randn(2, 8, 4),
                                             beta=0).dtype),
                "bmm": str(torch.bmm(torch.randn(2, 4, 8), torch.randn(2, 8, 4)).dtype),
                "group_norm(bf16 in, fp32 affine; shim 7)": str(torch.nn.functional.group_norm(
                    x.bfloat16(), 8, torch.ones(32), torch.zeros(32)).dtype),
                "layer_norm(bf16 in, fp32 affine; shim 7)": str(torch.nn.functional.layer_norm(
                    torch.randn(4, 32).bfloat16(), (32,), torch.ones(32), torch.zeros(32)).dtype),
            }

    header = {
        "torch": torch.__version__, "diffusers": diffusers.__version__, "python": platform.python_version(),
        "threads": torch.get_num_threads(), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "sdpa_available": hasattr(torch.nn.functional, "scaled_dot_product_attention"),
        "attn_processors": attn_procs, "params": n_params, "shims": torch113_compat.APPLIED,
    }
    print(f"# diffusers {diffusers.__version__} UNet2DConditionModel (SD1.5 config, random init), "
          f"{n_params / 1e6:.1f} M params, built in {build_s:.1f} s (imports {import_s:.1f} s)")
    print(f"# torch {torch.__version__}, threads={torch.get_num_threads()} "
          f"(OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}), mkldnn={header['mkldnn']}, "
          f"SDPA={'yes' if header['sdpa_available'] else 'no'}, attention processor(s): {', '.join(attn_procs)}")
    prec_note = ("bf16 = torch.autocast('cpu', bfloat16) mixed precision, fp32 weights/grads/AdamW"
                 if args.precision == "bf16" else "fp32")
    print(f"# mode={args.mode} precision={args.precision} ({prec_note}) latent={S}x{S} ({S * 8} px) "
          f"batch={B} gradient_checkpointing={args.gradient_checkpointing}")
    if autocast_probe:
        print("# autocast probe (output dtypes under autocast): "
              + ", ".join(f"{k}->{v.replace('torch.', '')}" for k, v in autocast_probe.items()))
    sys.stdout.flush()

    times, losses, phases = [], [], []
    out_dtype = None
    for i in range(args.warmup + args.steps):
        t = time.perf_counter()
        loss, out_dtype = step()
        dt = time.perf_counter() - t
        tag = "warm-up" if i < args.warmup else "step"
        if i >= args.warmup:
            times.append(dt)
        if loss is not None:
            losses.append(loss)
        ph = (f"  (fwd+loss {phases[-1][0]:.3f}, bwd {phases[-1][1]:.3f}, adamw {phases[-1][2]:.3f})"
              if train else "")
        print(f"{tag} {i + 1}: {dt:.3f} s{ph}" + (f"  loss={loss:.5f}" if loss is not None else "")
              + f"  peak_rss={rss_peak_mib() / 1024:.2f} GiB")
        sys.stdout.flush()

    med = statistics.median(times) if times else float("nan")
    peak = rss_peak_mib()
    print(f"median {med:.3f} s/step over {len(times)} steps (min {min(times):.3f}, max {max(times):.3f}); "
          f"peak RSS {peak / 1024:.2f} GiB; torch {torch.__version__}; threads {torch.get_num_threads()}")
    result = {
        "peer": "diffusers-unet", "mode": args.mode, "precision": args.precision,
        "precision_note": prec_note, "latent_size": S, "image_px": S * 8, "batch": B,
        "gradient_checkpointing": args.gradient_checkpointing,
        "forward_no_grad": (not train) and (not args.forward_with_grad),
        "warmup": args.warmup, "steps": len(times), "median_s": round(med, 4),
        "step_s": [round(x, 4) for x in times], "peak_rss_mib": round(peak, 1),
        "losses": [round(x, 6) for x in losses],
        "median_phase_s": ({k: round(statistics.median(p[j] for p in phases[args.warmup:]), 4)
                            for j, k in enumerate(("forward_loss", "backward", "adamw_step_zero_grad"))}
                           if train and len(phases) > args.warmup else {}), "output_dtype": str(out_dtype).replace("torch.", ""),
        "autocast_probe": autocast_probe, **header,
    }
    line = json.dumps(result, separators=(",", ":"))
    print(line)
    if args.json_out:
        with open(args.json_out, "w") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()

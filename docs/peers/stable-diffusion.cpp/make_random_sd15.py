#!/usr/bin/python3
"""Write a random-weights SD 1.5 single-file checkpoint (CompVis/LDM key names) in safetensors format.

Names/shapes come from /work/shared/reference/sd15-manifest/sd15_{unet,vae,text_encoder}.tsv
(column 3 = CompVis key). Values: norm weights = 1, all biases = 0, everything else
N(0,1)*0.02 (seeded). Storage dtype: F16 (default) or F32 (--fp32); position_ids is I64 arange(77).
The VAE mid-block attention q/k/v/proj_out weights are written in the CompVis 1x1-conv shape
[512,512,1,1] (manifest note "reshape").

safetensors is written by hand: u64 little-endian header length, JSON header (padded with spaces
to a multiple of 8), then the raw little-endian tensor bytes in header order.

usage: /usr/bin/python3 make_random_sd15.py [--out PATH] [--fp32] [--seed N]
"""
import argparse, json, os, struct, sys
import numpy as np

MANIFEST = "/work/shared/reference/sd15-manifest"
FILES = ["sd15_unet.tsv", "sd15_vae.tsv", "sd15_text_encoder.tsv"]


def read_manifest():
    rows = []
    for fn in FILES:
        with open(os.path.join(MANIFEST, fn)) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    continue
                parts = line.split("\t")
                dname, shape, cname = parts[0], parts[1], parts[2]
                note = parts[3] if len(parts) > 3 else ""
                if cname == "-":
                    continue
                shape = [int(s) for s in shape.split(",")]
                if "reshape" in note and len(shape) == 2:
                    shape = shape + [1, 1]  # CompVis VAE mid attn uses 1x1 conv weights
                rows.append((dname, cname, shape, note))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/work/peers/sd15-random.safetensors")
    ap.add_argument("--fp32", action="store_true", help="store float tensors as F32 instead of F16")
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()

    rows = read_manifest()
    fdt, fname = (np.float32, "F32") if a.fp32 else (np.float16, "F16")
    fsize = np.dtype(fdt).itemsize

    header, plan, off = {"__metadata__": {"format": "pt", "note": "random weights, DiffusionTune peer benchmark"}}, [], 0
    nparams = 0
    for dname, cname, shape, note in rows:
        n = int(np.prod(shape))
        if note.startswith("BUFFER"):
            assert cname.endswith("position_ids"), cname
            kind, dt, nb = "arange", "I64", n * 8
        else:
            nparams += n
            if dname.endswith(".bias"):
                kind = "zeros"
            elif dname.endswith(".weight") and len(shape) == 1:
                assert "norm" in dname, dname
                kind = "ones"
            else:
                kind = "randn"
            dt, nb = fname, n * fsize
        header[cname] = {"dtype": dt, "shape": shape, "data_offsets": [off, off + nb]}
        plan.append((cname, kind, shape, n, nb))
        off += nb

    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((8 - len(hj) % 8) % 8)
    rng = np.random.default_rng(a.seed)
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for cname, kind, shape, n, nb in plan:
            if kind == "arange":
                arr = np.arange(n, dtype="<i8")
            elif kind == "zeros":
                arr = np.zeros(n, dtype=fdt)
            elif kind == "ones":
                arr = np.ones(n, dtype=fdt)
            else:
                arr = (rng.standard_normal(n, dtype=np.float32) * np.float32(0.02)).astype(fdt)
            b = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
            assert len(b) == nb, cname
            f.write(b)
    os.replace(tmp, a.out)
    print(f"wrote {a.out}: {len(plan)} tensors, {nparams:,} parameters, dtype {fname}, "
          f"{os.path.getsize(a.out):,} bytes")


if __name__ == "__main__":
    main()

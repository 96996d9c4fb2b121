"""Import-time compatibility shims so diffusers can be *imported* on Debian's PyTorch 1.13 (CPU).

None of these touch UNet math; they only add backend namespaces / attributes that
diffusers references in module-level tables. See README-diffusers-peer.md.
"""
import types

import torch

APPLIED = []


def _noop(*args, **kwargs):
    return None


def _zero(*args, **kwargs):
    return 0


def _false(*args, **kwargs):
    return False


# 1) torch.xpu does not exist in 1.13 (added in 2.x). diffusers.utils.torch_utils builds
#    BACKEND_* dicts with torch.xpu.empty_cache / device_count / manual_seed at import.
if not hasattr(torch, "xpu"):
    torch.xpu = types.SimpleNamespace(empty_cache=_noop, device_count=_zero, manual_seed=_noop,
                                      is_available=_false, synchronize=_noop)
    APPLIED.append("torch.xpu namespace (no-op functions, is_available()=False)")

# 2) torch.mps does not exist in 1.13 (added in 2.0); same BACKEND_* tables use
#    torch.mps.empty_cache / manual_seed.
if not hasattr(torch, "mps"):
    torch.mps = types.SimpleNamespace(empty_cache=_noop, manual_seed=_noop, synchronize=_noop,
                                      device_count=_zero)
    APPLIED.append("torch.mps namespace (no-op functions)")

# 3) dtypes added after 1.13 (float8_* in 2.1, uint1..uint7 in 2.3) are referenced in
#    module-level tuples (quantizers/torchao) and default arguments
#    (ModelMixin.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn)). Placeholders
#    are unique sentinel objects that compare unequal to every real dtype; no tensor ever
#    gets them.
class _MissingDtype:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<missing torch.{self.name} (torch 1.13 shim)>"


_missing_dtypes = [n for n in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
                               "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7",
                               "uint16", "uint32", "uint64")
                   if not hasattr(torch, n)]
for _n in _missing_dtypes:
    setattr(torch, _n, _MissingDtype(_n))
if _missing_dtypes:
    APPLIED.append("placeholder sentinels for missing dtypes: " + ", ".join(_missing_dtypes))

# 4) torch.distributed.device_mesh (2.2+) is used only in type annotations of
#    diffusers.models._modeling_parallel dataclasses (context parallelism, unused here).
import torch.distributed  # noqa: E402

if not hasattr(torch.distributed, "device_mesh"):
    class DeviceMesh:  # annotation placeholder only
        pass

    torch.distributed.device_mesh = types.SimpleNamespace(DeviceMesh=DeviceMesh)
    APPLIED.append("torch.distributed.device_mesh.DeviceMesh placeholder class (annotations only)")

# 5) torch.distributed._functional_collectives (2.x) is imported at module level by
#    diffusers.hooks.context_parallel and diffusers.models.attention_dispatch (only used for
#    context-parallel attention, never in this single-process benchmark). Register an empty
#    module whose attributes raise on use.
import sys  # noqa: E402

if "torch.distributed._functional_collectives" not in sys.modules:
    try:
        import torch.distributed._functional_collectives  # noqa: F401
    except ImportError:
        class _FuncolStub(types.ModuleType):
            def __getattr__(self, name):
                if name.startswith("__"):
                    raise AttributeError(name)
                raise NotImplementedError(
                    f"torch.distributed._functional_collectives.{name} unavailable in torch {torch.__version__}")

        sys.modules["torch.distributed._functional_collectives"] = _FuncolStub(
            "torch.distributed._functional_collectives")
        APPLIED.append("empty torch.distributed._functional_collectives module (raises on attribute use)")

# 6) torch.compiler (2.1+): diffusers uses @torch.compiler.disable as a decorator at class
#    definition time (hooks/first_block_cache.py etc.) and torch.compiler.is_compiling().
#    In eager mode disable() is an identity decorator and is_compiling() is False.
if not hasattr(torch, "compiler"):
    def _disable(fn=None, recursive=True):
        if fn is None:
            return lambda f: f
        return fn

    torch.compiler = types.SimpleNamespace(disable=_disable, is_compiling=_false)
    APPLIED.append("torch.compiler namespace (disable = identity decorator, is_compiling() = False)")

# 7) RUNTIME shim (the only one that is executed inside the UNet forward, and only for bf16):
#    PyTorch 1.13's CPU group_norm / layer_norm kernels reject mixed dtypes
#    ("expected scalar type BFloat16 but found Float") when the input is bf16 (output of an
#    autocast conv/linear) and the affine weight/bias are fp32. CPU autocast in 1.13 does not
#    cover these ops, so diffusers' bf16 autocast training fails on 1.13 without this.
#    PyTorch >= 2.0 has native "mixed type" CPU kernels: bf16 input + fp32 params, fp32
#    accumulation, bf16 output. We emulate exactly that contract: upcast the input to the
#    parameter dtype, run the fp32 kernel, cast the result back to the input dtype.
#    The wrapper only acts when input dtype != weight dtype (a case that raises otherwise), so
#    fp32 runs are untouched. Cost: one extra cast in and out per norm (bf16 runs only).
import torch.nn.functional as _F  # noqa: E402

_orig_group_norm = _F.group_norm
_orig_layer_norm = _F.layer_norm


def _mixed(inp, weight, bias):
    ref = weight if weight is not None else bias
    return ref is not None and inp.dtype != ref.dtype and inp.is_floating_point()


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    if _mixed(input, weight, bias):
        return _orig_group_norm(input.to(weight.dtype if weight is not None else bias.dtype),
                                num_groups, weight, bias, eps).to(input.dtype)
    return _orig_group_norm(input, num_groups, weight, bias, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    if _mixed(input, weight, bias):
        return _orig_layer_norm(input.to(weight.dtype if weight is not None else bias.dtype),
                                normalized_shape, weight, bias, eps).to(input.dtype)
    return _orig_layer_norm(input, normalized_shape, weight, bias, eps)


if torch.__version__.startswith("1."):
    _F.group_norm = group_norm
    _F.layer_norm = layer_norm
    APPLIED.append("F.group_norm/F.layer_norm: bf16 input + fp32 params -> compute in fp32, "
                   "return input dtype (emulates torch>=2.0 CPU mixed-type norm kernels)")

"""Minimal STUB of safetensors (not packaged in Debian 12; PyPI unreachable).

diffusers imports these names at module load; the peer benchmark never loads or saves
weights, so every function raises NotImplementedError.
"""
__version__ = "0.0.0-stub"


class SafetensorError(Exception):
    pass


def safe_open(*args, **kwargs):
    raise NotImplementedError("safetensors is stubbed out (offline peer benchmark)")


from . import torch  # noqa: E402,F401

"""Minimal offline STUB of huggingface_hub for the DiffusionTune diffusers peer benchmark.

Debian 12 does not package huggingface_hub and PyPI is unreachable. diffusers imports
these names at module load; none are used when a UNet is built from a config with
random weights. Every network/file function raises NotImplementedError.
"""
__version__ = "0.34.0"  # satisfies diffusers' `huggingface-hub>=0.34.0` check; NOT the real package

from . import constants, file_download, utils  # noqa: F401


def _unavailable(name):
    def fn(*args, **kwargs):
        raise NotImplementedError(f"huggingface_hub.{name} is stubbed out (offline peer benchmark)")
    fn.__name__ = name
    return fn


for _n in ("hf_hub_download", "snapshot_download", "model_info", "create_repo", "upload_file",
           "upload_folder", "create_commit", "split_torch_state_dict_into_shards",
           "read_dduf_file", "get_token"):
    globals()[_n] = _unavailable(_n)


class DDUFEntry:  # placeholder type
    pass


class ModelCardData:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("huggingface_hub.ModelCardData is stubbed out")


class ModelCard:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("huggingface_hub.ModelCard is stubbed out")

    @classmethod
    def load(cls, *args, **kwargs):
        raise NotImplementedError("huggingface_hub.ModelCard is stubbed out")

"""STUB: constants diffusers reads at import time."""
import os

HF_HOME = os.path.expanduser(os.getenv("HF_HOME", os.path.join(os.getenv("XDG_CACHE_HOME", "~/.cache"), "huggingface")))
HF_HUB_OFFLINE = True
HF_HUB_DISABLE_TELEMETRY = True

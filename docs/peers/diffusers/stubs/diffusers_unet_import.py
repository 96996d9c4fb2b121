"""Import diffusers' UNet2DConditionModel without running the eager package __init__ of
diffusers.models.unets / diffusers.models.transformers.

Those two __init__ files import *every* UNet / transformer model (ACE-Step, Flux, Wan, ...),
which pulls in diffusers.models.attention_dispatch and torch>=2.x-only APIs
(torch.distributed._functional_collectives, torch.library.custom_op, ...). The UNet itself does
not need them. We register the two sub-packages as empty package modules (correct __path__,
__init__ not executed) and then import the real, unmodified module files.
"""
import importlib
import importlib.util
import os
import sys
import types

import torch113_compat  # noqa: F401  (must run before diffusers touches torch.xpu etc.)


def _register_bare_package(fullname):
    if fullname in sys.modules:
        return
    parent, _, _ = fullname.rpartition(".")
    parent_mod = importlib.import_module(parent)
    path = os.path.join(os.path.dirname(parent_mod.__file__), fullname.rpartition(".")[2])
    mod = types.ModuleType(fullname)
    mod.__path__ = [path]
    mod.__file__ = os.path.join(path, "__init__.py")
    mod.__package__ = fullname
    mod.__spec__ = importlib.util.spec_from_file_location(fullname, mod.__file__,
                                                          submodule_search_locations=[path])
    sys.modules[fullname] = mod


def load_unet_class():
    import diffusers
    import diffusers.models  # lazy module, cheap

    _register_bare_package("diffusers.models.transformers")
    _register_bare_package("diffusers.models.unets")
    from diffusers.models.unets.unet_2d_condition import UNet2DConditionModel
    return UNet2DConditionModel, diffusers

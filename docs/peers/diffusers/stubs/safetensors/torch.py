"""STUB of safetensors.torch: load/save entry points raise NotImplementedError."""


def _unavailable(name):
    def fn(*args, **kwargs):
        raise NotImplementedError(f"safetensors.torch.{name} is stubbed out (offline peer benchmark)")
    fn.__name__ = name
    return fn


load_file = _unavailable("load_file")
save_file = _unavailable("save_file")
load = _unavailable("load")
save = _unavailable("save")

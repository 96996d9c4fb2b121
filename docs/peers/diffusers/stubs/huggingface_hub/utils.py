"""STUB: exception types, decorator and helper diffusers imports from huggingface_hub.utils."""
import importlib.util


class HfHubHTTPError(Exception):
    pass


class RepositoryNotFoundError(HfHubHTTPError):
    pass


class RevisionNotFoundError(HfHubHTTPError):
    pass


class EntryNotFoundError(HfHubHTTPError):
    pass


class LocalEntryNotFoundError(EntryNotFoundError, FileNotFoundError, ValueError):
    pass


class OfflineModeIsEnabled(ConnectionError):
    pass


def validate_hf_hub_args(fn):  # identity decorator (real one only validates repo-id kwargs)
    return fn


def is_jinja_available():
    return importlib.util.find_spec("jinja2") is not None

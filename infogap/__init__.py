__version__ = "0.1.0"
# This file is the one module not generated from a notebook (nbdev only maintains __version__ here).
# `infogap.DataError` is resolved lazily so that `import infogap` stays light.


def __getattr__(name):
    if name == "DataError":
        from .dataprep import DataError

        return DataError
    raise AttributeError(f"module 'infogap' has no attribute {name!r}")

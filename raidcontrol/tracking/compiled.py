"""The tracking check's kernels compiled ahead of time: one extension module, no numba to load.

Loading numba and the check's machine code from numba's cache costs a command about half a
second of Python (and 100 MB) before it checks a single fix.  ``raidcontrol warmup`` (which
``make setup`` runs) therefore also compiles the check's entry points (:data:`ENTRY_POINTS`)
with numba's ahead-of-time compiler (``numba.pycc``) into a CPython extension module, for the
argument types numba's JIT compiled them for on the warm-up's synthetic stage.  A later
``track check`` imports that module in about a millisecond (:mod:`raidcontrol.tracking.jit`
prefers it) and never imports numba.  Its functions release the GIL, as the JIT kernels do.

Where and which: next to numba's own cache (``NUMBA_CACHE_DIR`` when set, else this
package's ``__pycache__``), named after a fingerprint of the tracking sources, so a module
built from other sources is never loaded — the JIT serves until the next warm-up.  It is built
for the architecture's generic CPU, so a copied install still runs it.
``RAIDCONTROL_KERNELS=jit`` turns it off (the JIT serves).

``numba.pycc`` is marked "pending deprecation" by numba since 0.57; if it is missing, or the
build fails (no C compiler), the warm-up says so and the JIT serves, as before.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import sysconfig
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

# The kernels called from Python, by module of raidcontrol.tracking (the others are compiled
# into these).  Their names in the module: "<module>__<function>" (jit.Kernel.key).
ENTRY_POINTS = {
    "kernel": ("check_crews",),
    "order": ("count_descents", "sort_crews_in_place", "gather_sorted"),
    "grid": ("_cell_table",),
    "closest": ("closest_approaches",),
    "flagged": ("_scan",),
    "zone_evidence": ("_zone_columns",),
}
PREFIX = "raidcontrol_kernels_"
SWITCH = "RAIDCONTROL_KERNELS"  # "jit": never use the compiled module

_HERE = Path(__file__).resolve().parent
_loaded: ModuleType | bool | None = False  # False: not looked for yet
_LOCK = threading.Lock()


def fingerprint() -> str:
    """A hash of the tracking package's sources (what the kernels are compiled from)."""
    digest = hashlib.sha256()
    for source in sorted(_HERE.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """Where the module is kept: numba's cache folder when set, else the package's __pycache__."""
    numba_cache = os.environ.get("NUMBA_CACHE_DIR")
    return Path(numba_cache) / "raidcontrol" if numba_cache else _HERE / "__pycache__"


def module_path() -> Path:
    """The module built for the current sources (it may not exist)."""
    return cache_dir() / f"{PREFIX}{fingerprint()}{sysconfig.get_config_var('EXT_SUFFIX')}"


def module() -> ModuleType | None:
    """The compiled module for the current sources, or None (not built, or turned off)."""
    global _loaded
    with _LOCK:  # threads may call their first kernels at once: one import
        if _loaded is False:
            _loaded = None if os.environ.get(SWITCH) == "jit" else _import(module_path())
    return _loaded if isinstance(_loaded, ModuleType) else None


def function(key: str) -> Any:
    """The compiled function named ``key`` (``<module>__<function>``), or None."""
    found = module()
    return None if found is None else getattr(found, key, None)


def _import(path: Path) -> ModuleType | None:
    if not path.is_file():
        return None
    name = path.name.split(".", 1)[0]
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    if spec is None:
        return None
    try:
        found = importlib.util.module_from_spec(spec)
        loader.exec_module(found)
    except (ImportError, OSError):
        return None
    return found


def build() -> Path:
    """Compile the entry points into the module for the current sources; returns its path.

    Needs each entry point compiled by numba's JIT in this process (``warm_kernels`` does it):
    their signatures are the ones exported.  Raises ``RuntimeError`` when it cannot."""
    import importlib
    import tempfile
    import warnings

    from raidcontrol.tracking.jit import Kernel

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numba's "pending deprecation" of pycc
            pycc: Any = importlib.import_module("numba.pycc")
    except ImportError as exc:
        raise RuntimeError(f"numba's ahead-of-time compiler is not available: {exc}") from None
    target = module_path()
    name = target.name.split(".", 1)[0]
    cc = pycc.CC(name)
    cc.verbose = False
    for module_name, names in ENTRY_POINTS.items():
        found = importlib.import_module(f"raidcontrol.tracking.{module_name}")
        for fn_name in names:
            kernel = getattr(found, fn_name)
            py_func = kernel.py_func
            dispatcher = kernel.dispatcher if isinstance(kernel, Kernel) else kernel
            if len(dispatcher.signatures) != 1:
                raise RuntimeError(
                    f"{module_name}.{fn_name} has {len(dispatcher.signatures)} compiled "
                    "signatures, not one: run the warm-up's synthetic stage first"
                )
            cc.export(f"{module_name}__{fn_name}", dispatcher.signatures[0])(py_func)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as build_dir:
        cc.output_dir = build_dir
        try:
            with _release_gil():
                cc.compile()
        except Exception as exc:  # a missing compiler, linker or distutils
            raise RuntimeError(f"compiling the kernels ahead of time failed: {exc}") from None
        built = Path(build_dir) / cc.output_file
        os.replace(built, target)  # atomic: a command never sees half a module
    for old in target.parent.glob(f"{PREFIX}*"):  # modules of other sources
        if old != target:
            old.unlink(missing_ok=True)
    return target


@contextmanager
def _release_gil() -> Iterator[None]:
    """During the build, numba's Python wrappers of the exported functions release the GIL (as
    ``nogil=True`` does for the JIT kernels), so threads can run them side by side.  pycc has no
    option for it: its compilation flags get ``release_gil`` set for the duration."""
    import importlib

    compiler: Any = importlib.import_module("numba.pycc.compiler")
    original: Any = compiler.Flags

    class Flags(original):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.release_gil = True

    compiler.Flags = Flags
    try:
        yield
    finally:
        compiler.Flags = original


def main() -> int:
    """``python -m raidcontrol.tracking.compiled``: build the module for the current sources (numba's
    JIT kernels first, from its cache when warm); prints its path (``raidcontrol warmup`` runs it
    in its own process, beside the scanners' compilation)."""
    import sys

    from raidcontrol.tracking.warm import warm_kernels

    warm_kernels()
    try:
        print(build())
    except RuntimeError as exc:
        print(f"warning: {exc}; track check uses numba's JIT kernels", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

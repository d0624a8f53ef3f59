"""Derived data that makes a command fast: the checkpoint and the folder fingerprint.

Checkpoint: the folded state of an event (a :class:`JournalState`, or the live classification
holding one) pickled with the position (id) of
the last record it includes, kept in the ``checkpoint`` table of the journal's own database
(so it can never outlive or belong to another journal).  A command loads it and folds only
the records after it.  It is validated before use — its ``format`` (a version and the field
names of the pickled classes) must match this code's, its position must not be beyond the
journal's end and the record at its position must have the identity it saved — and ignored
otherwise (the journal is then folded from the start).  ``--as-of`` never uses it.

Folder fingerprint: size, mtime and SHA-256 of each file of the event folder that the
folder reader may read (``*.toml`` and ``*.csv`` at the top), recorded with the journal
position after the sync that read them.  A command on an unchanged folder (same size and
mtime, or same hash) skips reading and diffing it.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import pickle
from pathlib import Path

from raidcontrol.core.journal import JournalState, Record

CHECKPOINT_EVERY = 200  # records folded beyond the checkpoint before it is saved again (assumption)
_VERSION = "3"  # bump when a pickled class changes shape beyond its dataclass fields


def _format() -> str:
    from raidcontrol.core import model, remark

    classes = (
        Record,
        JournalState,
        model.Event,
        model.Stage,
        model.Entry,
        model.TimeRecord,
        model.Adjustment,
        model.Split,
        remark.Remark,
    )
    shape = ";".join(
        f"{c.__name__}:{','.join(f.name for f in dataclasses.fields(c))}" for c in classes
    )
    return f"{_VERSION}-{pickle.HIGHEST_PROTOCOL}-{hashlib.sha256(shape.encode()).hexdigest()[:16]}"


def dump_state(folded) -> tuple[str, bytes]:
    """``folded`` is a :class:`JournalState` or an object holding one as ``.state`` (a live classification)."""
    return _format(), _without_gc(pickle.dumps, folded, protocol=pickle.HIGHEST_PROTOCOL)


def _without_gc(fn, *args, long_lived: bool = False, **kwargs):
    """Run ``fn`` with the cyclic garbage collector paused: (un)pickling some 100,000 small objects
    otherwise triggers collections that cost more than the pickling itself.

    ``long_lived``: the objects made meanwhile are then moved to the oldest generation
    (``gc.freeze`` then ``gc.unfreeze``).  They are the event's state, kept for the session; left
    in the youngest generation, the next collections would walk every one of them twice more on
    its way there (some 50 ms for a Dakar-size event).  They stay collectable as any old object."""
    was = gc.isenabled()
    gc.disable()
    try:
        return fn(*args, **kwargs)
    finally:
        if long_lived:
            gc.freeze()
            gc.unfreeze()
        if was:
            gc.enable()


def load_state(fmt: str, blob: bytes, position: int, identity: str | None):
    """The pickled object if it is valid for this code and this journal, else ``None``."""
    if fmt != _format() or identity is None:
        return None
    try:
        state = _without_gc(pickle.loads, blob, long_lived=True)
    except Exception:
        return None
    folded = state
    state = getattr(folded, "state", folded)
    if not isinstance(state, JournalState) or state.position != position or not state.history:
        return None
    last = state.history[-1]
    return folded if last.id == position and last.identity == identity else None


def folder_files(folder: Path) -> list[Path]:
    return sorted(p for pattern in ("*.toml", "*.csv") for p in folder.glob(pattern) if p.is_file())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(folder: Path) -> dict[str, list]:
    """``{file name: [size, mtime_ns, sha256]}`` of the folder's input files."""
    out = {}
    for p in folder_files(folder):
        st = p.stat()
        out[p.name] = [st.st_size, st.st_mtime_ns, _sha256(p)]
    return out


def unchanged(folder: Path, recorded: dict | None) -> bool:
    """Whether the folder's input files are those recorded (size and mtime equal, else hash equal)."""
    if not recorded:
        return False
    files = folder_files(folder)
    if sorted(p.name for p in files) != sorted(recorded):
        return False
    for p in files:
        size, mtime, digest = recorded[p.name]
        st = p.stat()
        if st.st_size != size:
            return False
        if st.st_mtime_ns != mtime and _sha256(p) != digest:
            return False
    return True

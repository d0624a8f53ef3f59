"""``raidcontrol warmup``: compile the tracking check's kernels ahead of the first ``track check``."""

from __future__ import annotations

import typer


def warmup_cmd() -> None:
    """Compile the GPS tracking check's kernels and the GPX and CSV scanners now (about a minute
    once), so that no `track check` or `track scan` waits for it: numba's JIT versions (kept in
    numba's cache) and the check's kernels compiled ahead of time into one extension module,
    which a `track check` loads instead of numba.  `make setup` runs it at install; run it again
    after upgrading raidcontrol or numba.  Prints the seconds it took."""
    import time

    from raidcontrol.io.csv_kernel import warm as warm_csv_scanner
    from raidcontrol.io.gpx_kernel import warm as warm_gpx_scanner
    from raidcontrol.tracking import compiled
    from raidcontrol.tracking.warm import warm_kernels

    t0 = time.perf_counter()
    warm_kernels()
    warm_gpx_scanner()
    warm_csv_scanner()
    typer.echo(f"tracking kernels ready in {time.perf_counter() - t0:.1f} s")
    if compiled.module_path().is_file():
        typer.echo(f"check kernels compiled ahead of time: {compiled.module_path().name} (kept)")
        return
    t1 = time.perf_counter()
    try:
        built = compiled.build()
    except RuntimeError as exc:
        typer.echo(f"warning: {exc}; track check uses numba's JIT kernels", err=True)
        return
    typer.echo(
        f"check kernels compiled ahead of time in {time.perf_counter() - t1:.1f} s: {built.name}"
    )


def register(app: typer.Typer) -> None:
    app.command("warmup")(warmup_cmd)

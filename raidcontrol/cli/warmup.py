"""``raidcontrol warmup``: compile the tracking check's kernels ahead of the first ``track check``."""

from __future__ import annotations

import typer


def warmup_cmd() -> None:
    """Compile the GPS tracking check's kernels and the GPX and CSV scanners now (about 20 s once), so
    that the first `track check` or `track scan` does not wait for it.  `make setup` runs it
    at install; run it again after upgrading raidcontrol or numba.  Prints the seconds it took."""
    import time

    from raidcontrol.io.csv_kernel import warm as warm_csv_scanner
    from raidcontrol.io.gpx_kernel import warm as warm_gpx_scanner
    from raidcontrol.tracking.warm import warm_kernels

    t0 = time.perf_counter()
    warm_kernels()
    warm_gpx_scanner()
    warm_csv_scanner()
    typer.echo(f"tracking kernels ready in {time.perf_counter() - t0:.1f} s")


def register(app: typer.Typer) -> None:
    app.command("warmup")(warmup_cmd)

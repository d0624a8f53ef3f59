"""``raidcontrol warmup``: compile the tracking check's kernels ahead of the first ``track check``."""

from __future__ import annotations

from pathlib import Path

import typer


def warmup_cmd() -> None:
    """Compile the GPS tracking check's kernels and the GPX and CSV scanners now (about a minute
    once), so that no `track check` or `track scan` waits for it: numba's JIT versions (kept in
    numba's cache) and the check's kernels compiled ahead of time into one extension module,
    which a `track check` loads instead of numba; and raidcontrol's Python bytecode, so that no
    command compiles its modules (an editable install writes none; nor does Python under
    PYTHONDONTWRITEBYTECODE).  `make setup` runs it at install; run it again after upgrading
    raidcontrol or numba.  Prints the seconds it took."""
    import subprocess
    import sys
    import time

    from raidcontrol.io.csv_kernel import warm as warm_csv_scanner
    from raidcontrol.io.gpx_kernel import warm as warm_gpx_scanner
    from raidcontrol.tracking import compiled
    from raidcontrol.tracking.warm import warm_kernels

    t0 = time.perf_counter()
    if not compile_bytecode(Path(__file__).resolve().parent.parent):
        typer.echo("warning: some of raidcontrol's modules do not compile", err=True)
    warm_kernels()  # numba's check kernels first: the builder below loads them from its cache
    builder = None
    if not compiled.module_path().is_file():  # built in its own process, on the other core
        builder = subprocess.Popen(
            [sys.executable, "-m", "raidcontrol.tracking.compiled"], stdout=subprocess.PIPE
        )
    warm_gpx_scanner()
    warm_csv_scanner()
    typer.echo(f"tracking kernels ready in {time.perf_counter() - t0:.1f} s")
    if builder is None:
        typer.echo(f"check kernels compiled ahead of time: {compiled.module_path().name} (kept)")
        return
    out, _ = builder.communicate()
    if builder.returncode == 0:
        built = Path(out.decode().strip()).name
        typer.echo(
            f"check kernels compiled ahead of time: {built} ({time.perf_counter() - t0:.1f} s)"
        )


def compile_bytecode(package: Path) -> bool:
    """Write the bytecode of every module under ``package`` that has none up to date (whatever
    ``sys.dont_write_bytecode``); False when a module does not compile."""
    import compileall

    return bool(compileall.compile_dir(package, quiet=1))


def register(app: typer.Typer) -> None:
    app.command("warmup")(warmup_cmd)

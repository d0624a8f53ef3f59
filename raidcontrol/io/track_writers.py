"""Track export: a fleet's fixes as Parquet, CSV or GPX (chosen by the file's suffix).

Columns of the Parquet and CSV files (one row per fix, in the fleet's row order):

======  ==================================================================================
bib     race number (Parquet int32)
time    the fix's instant, UTC (Parquet ``timestamp[ms, UTC]``; CSV ISO 8601 ``…Z``, with
        milliseconds only when a fix is not on a whole second)
lat     WGS84 latitude, degrees (Parquet float64; CSV 7 decimals ≈ 1 cm)
lon     WGS84 longitude, degrees (same)
speed   device speed, km/h (Parquet float32; CSV 2 decimals); null / empty when the
        tracker gives none
======  ==================================================================================

GPX: one ``<trk>`` per crew named by its bib, fixes as ``<trkpt>`` with ``<time>`` and,
when known, the speed in m/s in a Garmin ``TrackPointExtension``.

:class:`FleetWriter` writes a fleet in parts (a Parquet row group per part), so a
simulator can stream a Dakar-scale fleet to disk crew batch by crew batch; each part
must hold whole crews.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from raidcontrol.core.errors import InputError
from raidcontrol.io.stage_files import TRACK_SUFFIXES
from raidcontrol.tracking.model import Fleet

KMH_PER_MS = 3.6
COORD_DECIMALS = 7
SPEED_DECIMALS = 2
TEXT_ROWS = 100_000  # CSV is formatted this many rows at a time (bounded memory)
PARQUET_SCHEMA = pa.schema(
    [
        ("bib", pa.int32()),
        ("time", pa.timestamp("ms", tz="UTC")),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("speed", pa.float32()),
    ]
)
CSV_HEADER = "bib,time,lat,lon,speed\n"
GPXTPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"


def iso_times(t_ms: np.ndarray) -> np.ndarray:
    """Epoch ms → ISO 8601 UTC text (``2026-01-13T04:30:00Z``; ``.fff`` only if needed)."""
    unit = "s" if not np.any(t_ms % 1000) else "ms"
    return np.char.add(np.datetime_as_string(t_ms.astype("datetime64[ms]"), unit=unit), "Z")


def _speed_array(speed: np.ndarray) -> pa.Array:
    return pa.array(speed.astype(np.float32), mask=np.isnan(speed), type=pa.float32())


def _table(fleet: Fleet) -> pa.Table:
    return pa.table(
        {
            "bib": pa.array(fleet.bib, pa.int32()),
            "time": pa.array(fleet.t_ms, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
            "lat": pa.array(fleet.lat, pa.float64()),
            "lon": pa.array(fleet.lon, pa.float64()),
            "speed": _speed_array(fleet.speed_kmh),
        },
        schema=PARQUET_SCHEMA,
    )


def _csv_table(fleet: Fleet) -> pa.Table:
    speed = np.char.mod(f"%.{SPEED_DECIMALS}f", fleet.speed_kmh.astype(np.float64))
    return pa.table(
        {
            "bib": pa.array(fleet.bib, pa.int32()),
            "time": pa.array(iso_times(fleet.t_ms)),
            "lat": pa.array(np.char.mod(f"%.{COORD_DECIMALS}f", fleet.lat)),
            "lon": pa.array(np.char.mod(f"%.{COORD_DECIMALS}f", fleet.lon)),
            "speed": pa.array(speed, mask=np.isnan(fleet.speed_kmh), type=pa.string()),
        }
    )


def _gpx_tracks(fleet: Fleet):
    """The ``<trk>`` elements of a fleet, one text per crew (rows grouped by bib)."""
    if not len(fleet):
        return
    starts = np.flatnonzero(np.r_[True, fleet.bib[1:] != fleet.bib[:-1]])
    ends = np.r_[starts[1:], len(fleet)]
    for a, b in zip(starts, ends):
        times = iso_times(fleet.t_ms[a:b])
        lat = np.char.mod(f"%.{COORD_DECIMALS}f", fleet.lat[a:b])
        lon = np.char.mod(f"%.{COORD_DECIMALS}f", fleet.lon[a:b])
        speed_ms = fleet.speed_kmh[a:b].astype(np.float64) / KMH_PER_MS
        out = [f"  <trk>\n    <name>{int(fleet.bib[a])}</name>\n    <trkseg>\n"]
        for i in range(b - a):
            ext = (
                ""
                if np.isnan(speed_ms[i])
                else f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:speed>{speed_ms[i]:.3f}</gpxtpx:speed>"
                f"</gpxtpx:TrackPointExtension></extensions>"
            )
            out.append(
                f'      <trkpt lat="{lat[i]}" lon="{lon[i]}"><time>{times[i]}</time>{ext}</trkpt>\n'
            )
        out.append("    </trkseg>\n  </trk>\n")
        yield "".join(out)


class FleetWriter:
    """Write a fleet file part by part: ``with FleetWriter(path) as w: w.write(part)``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.suffix = self.path.suffix.lower()
        if self.suffix not in TRACK_SUFFIXES:
            raise InputError(
                f"unknown track format {self.suffix or '(none)'!r}; use one of {', '.join(TRACK_SUFFIXES)}",
                file=str(self.path),
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rows = 0
        self._parquet: pq.ParquetWriter | None = None
        self._text = None
        self._csv_header = True

    def __enter__(self) -> Self:
        if self.suffix == ".parquet":
            self._parquet = pq.ParquetWriter(self.path, PARQUET_SCHEMA, compression="zstd")
        else:
            self._text = open(self.path, "w", encoding="utf-8", newline="\n")
            if self.suffix == ".gpx":
                self._text.write(
                    '<?xml version="1.0" encoding="UTF-8"?>\n'
                    f'<gpx xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="{GPXTPX_NS}" '
                    'version="1.1" creator="raidcontrol">\n'
                )
        return self

    def write(self, part: Fleet) -> None:
        """Append a part (whole crews only)."""
        if self.suffix == ".parquet":
            self._parquet.write_table(_table(part))
        elif self.suffix == ".csv":
            if self._csv_header:
                self._text.write(CSV_HEADER)
                self._csv_header = False
            for lo in range(0, len(part), TEXT_ROWS):
                chunk = Fleet(
                    *(
                        getattr(part, c)[lo : lo + TEXT_ROWS]
                        for c in ("bib", "t_ms", "lat", "lon", "speed_kmh")
                    )
                )
                buf = pa.BufferOutputStream()
                pacsv.write_csv(
                    _csv_table(chunk),
                    buf,
                    pacsv.WriteOptions(include_header=False, quoting_style="none"),
                )
                self._text.write(buf.getvalue().to_pybytes().decode("utf-8"))
        else:
            for text in _gpx_tracks(part):
                self._text.write(text)
        self.rows += len(part)

    def __exit__(self, *exc) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._text is not None:
            if self.suffix == ".gpx":
                self._text.write("</gpx>\n")
            elif self._csv_header:  # an empty fleet still gets its header
                self._text.write(CSV_HEADER)
            self._text.close()


def write_fleet(fleet: Fleet, path: str | Path) -> Path:
    """Write ``fleet`` to ``path`` as ``.parquet``, ``.csv`` or ``.gpx`` (see the module docstring)."""
    with FleetWriter(path) as writer:
        writer.write(fleet)
    return Path(path)

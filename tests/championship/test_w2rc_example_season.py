"""The example season (examples/season) gives the hand-computed standings (on a copy)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "season"


def test_example_season_hand_computed(cli, tmp_path):
    root = tmp_path / "season"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".raidcontrol"))
    code, out, err = cli("standings", root / "season.toml", "--format", "csv")
    assert code == 0, err
    # Dakar (marathon; 205 is not registered and 4th overall): 203 1st 50 + stages 5+3+5; 201 40 + 4+4+4;
    # 202 30 + 3+5+3; 206 classified under forfeit, 4th = 26 + 2+2; 204 withdrew 2 + 1.
    # Portugal (rally): 103 30 + 4+5; 102 25 + 2+4; 104 20 + 5+2; 101 17 + 3+3; 106 15 + 1+1.
    assert list(csv.reader(io.StringIO(out))) == [
        ["position", "name", "points", "Dakar", "Portugal", "countback"],
        ["1", "Sofia Lindqvist", "102", "63", "39", ""],
        [
            "2",
            "Lena Hartmann",
            "75",
            "52",
            "23",
            "",
        ],  # "L. Hartmann" at Portugal, through the alias table
        ["3", "DUARTE Marco", "72", "41", "31", ""],
        ["4", "Nadia Rahman", "47", "30", "17", ""],
        ["5", "Yusuf Haddad", "30", "3", "27", ""],
    ]
    # Manufacturers (nominated cars ranked among themselves, two best per manufacturer in each ranking):
    # Dakar final 203 D 1st 50, 201 K 2nd 40, 202 K 3rd 30 (206, Kestrel's third car, takes no place),
    # 204 D withdrew 2; stage 1: 203 D 5, 201 K 4, 202 K 3, 204 D 2 (kept after retiring); stage 2: 202 K 5,
    # 201 K 4, 203 D 3; stage 3: 203 D 5, 201 K 4, 202 K 3 → Kestrel 70 + 7 + 9 + 7 = 93, Dune 52 + 7 + 3 + 5 = 67.
    # Portugal (106 not nominated, last): Dune 30 + 20 + 9 + 7 = 66, Kestrel 25 + 17 + 5 + 7 = 54.
    code, out, err = cli(
        "standings", root / "season.toml", "--title", "manufacturers", "--format", "csv"
    )
    assert list(csv.reader(io.StringIO(out)))[1:] == [
        ["1", "Kestrel Motorsport", "147", "93", "54", ""],
        ["2", "Dune Works", "133", "67", "66", ""],
    ]

"""The numpy array types of the tracking columns and kernels (annotations only; numpy alone)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]


@dataclass
class Columns:
    """The arrays a batch of crews' fixes live in (the fleet's, or a sorted copy) and their flags."""

    t: I64
    lat: F64
    lon: F64
    spd: F32
    flags: U8

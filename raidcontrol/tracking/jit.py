"""numba's ``njit`` as the type checker should see it: a decorator that keeps the function's
own signature (numba ships no type information, and the kernels are called with numpy arrays
and numbers exactly as their annotations say).  At run time it is numba's ``njit`` itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt

F = TypeVar("F", bound=Callable[..., Any])

# the kernels' column types
F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]

if TYPE_CHECKING:

    def njit(*, cache: bool = ..., inline: Literal["always", "never"] = ...) -> Callable[[F], F]:
        """numba.njit with keyword options only (the form the kernels use)."""
        ...

else:
    from numba import njit

__all__ = ["F32", "F64", "I32", "I64", "U8", "Bools", "njit"]

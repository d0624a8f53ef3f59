"""numba's ``njit`` as the type checker should see it: a decorator that keeps the function's
own signature (numba ships no type information, and the kernels are called with numpy arrays
and numbers exactly as their annotations say).  At run time it is numba's ``njit`` itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:

    def njit(
        *, cache: bool = ..., inline: Literal["always", "never"] = ..., nogil: bool = ...
    ) -> Callable[[F], F]:
        """numba.njit with keyword options only (the form the kernels use)."""
        ...

else:
    from numba import njit

__all__ = ["njit"]

"""numba's ``njit``, made lazy, with the kernels compiled ahead of time preferred when built.

A kernel module decorates its functions with :func:`njit`, which makes a :class:`Kernel`:
importing the module does not import numba (about a third of a second and 100 MB of a
command's start).  Calling a kernel from Python runs

1. its version compiled ahead of time (:mod:`raidcontrol.tracking.compiled`: one extension
   module that ``raidcontrol warmup`` builds), when it is built for these sources and accepts
   the arguments' types — no numba at all in the process;
2. otherwise numba's dispatcher, made on first use for every kernel at once (numba compiles a
   kernel's callees from its module's globals, so those are then replaced by the dispatchers);
   numba's own cache on disk keeps the machine code between processes.

For the type checker ``njit`` keeps the decorated function's own signature (numba ships no
type information, and the kernels are called with numpy arrays and numbers exactly as their
annotations say).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_KERNELS: list[Kernel] = []
_LOCK = threading.Lock()
_JIT_ACTIVE = False  # numba is loaded: new kernels are numba dispatchers at once


class Kernel:
    """A function compiled on demand: ahead of time if available, else by numba (see the module)."""

    def __init__(self, py_func: Callable[..., Any], options: dict[str, Any]):
        self.py_func = py_func
        self.options = options
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__module__ = py_func.__module__
        self.__doc__ = py_func.__doc__
        self.__wrapped__ = py_func
        self._dispatcher: Any = None
        self._call: Callable[..., Any] | None = None

    @property
    def key(self) -> str:
        """Its name in the ahead-of-time module: ``<module>__<function>``."""
        return f"{self.__module__.rsplit('.', 1)[-1]}__{self.__name__}"

    @property
    def dispatcher(self) -> Any:
        """numba's dispatcher for it (loads numba, for every kernel, the first time)."""
        if self._dispatcher is None:
            use_numba()
        return self._dispatcher

    @property
    def signatures(self) -> list[Any]:
        """The signatures numba compiled it for in this process (none when it never ran JIT)."""
        return [] if self._dispatcher is None else list(self._dispatcher.signatures)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        call = self._call
        if call is None:
            call = self._call = self._choose()
        return call(*args, **kwargs) if not kwargs else self.dispatcher(*args, **kwargs)

    def _choose(self) -> Callable[..., Any]:
        from raidcontrol.tracking import compiled

        ahead = compiled.function(self.key)
        if ahead is None:
            return self.dispatcher  # type: ignore[no-any-return]

        def call(*args: Any) -> Any:
            try:
                return ahead(*args)
            except TypeError:  # arguments of other types than it was built for: numba's turn
                return self.dispatcher(*args)

        return call

    def __repr__(self) -> str:
        return f"<kernel {self.__module__}.{self.__qualname__}>"


def use_numba() -> None:
    """Make numba's dispatcher of every kernel and put them where numba looks for callees."""
    global _JIT_ACTIVE
    with _LOCK:
        if _JIT_ACTIVE:
            return
        import numba

        for kernel in _KERNELS:
            kernel._dispatcher = numba.njit(**kernel.options)(kernel.py_func)
        by_function = {id(k): k._dispatcher for k in _KERNELS}
        for name, module in list(sys.modules.items()):
            if name.startswith("raidcontrol.") and module is not None:
                for attr, value in list(vars(module).items()):
                    if isinstance(value, Kernel):
                        setattr(module, attr, by_function[id(value)])
        _JIT_ACTIVE = True


def force_numba() -> None:
    """Use numba's dispatchers even where an ahead-of-time version exists (``warmup``, tests)."""
    use_numba()
    for kernel in _KERNELS:
        kernel._call = kernel._dispatcher


if TYPE_CHECKING:

    def njit(
        *, cache: bool = ..., inline: Literal["always", "never"] = ..., nogil: bool = ...
    ) -> Callable[[F], F]:
        """numba.njit with keyword options only (the form the kernels use)."""
        ...

else:

    def njit(**options):
        """Decorate a kernel (numba.njit's keyword options)."""

        def decorate(func):
            if _JIT_ACTIVE:  # a module imported after numba was loaded: its dispatcher at once
                import numba

                return numba.njit(**options)(func)
            kernel = Kernel(func, options)
            _KERNELS.append(kernel)
            return kernel

        return decorate


__all__ = ["Kernel", "force_numba", "njit", "use_numba"]

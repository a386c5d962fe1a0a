"""Lazy public faces for the area packages (PEP 562).

An area package (``models``, ``fairness``, ...) lists what it exports and the private module
that defines each name; the name is imported the first time it is used. Importing
``audit_helpers.models._config`` (as ``params`` does) then runs no scikit-learn or matplotlib
import, while ``from audit_helpers.models import MultiHotEncoder`` works as with an eager
``__init__``.

Usage in a package's ``__init__.py``::

    from .._common.lazy import attach

    _EXPORTS = {"_config": ["ModelConfig"], "_encoder": ["MultiHotEncoder"]}
    __all__, __getattr__, __dir__ = attach(__name__, globals(), _EXPORTS)
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping, MutableMapping, Sequence

__all__ = ["attach", "NO_ATTRIBUTE", "DUPLICATE_EXPORT"]

NO_ATTRIBUTE = "module {package!r} has no attribute {name!r}"
DUPLICATE_EXPORT = "{package}: {name!r} is exported by both {first} and {second}"


def attach(
    package: str, namespace: MutableMapping[str, Any], exports: Mapping[str, Sequence[str]]
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """Build ``__all__``, ``__getattr__`` and ``__dir__`` for ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    namespace : dict
        The package's ``globals()``; a resolved name is cached there, so ``__getattr__`` runs
        once per name.
    exports : mapping of str to sequence of str
        Private module (relative to ``package``, without the dot) → public names it defines.

    Returns
    -------
    (list of str, callable, callable)
        ``__all__`` in the order given, the module ``__getattr__`` and ``__dir__``.
    """
    where: dict[str, str] = {}
    for module, names in exports.items():
        for name in names:
            if name in where:
                raise ValueError(DUPLICATE_EXPORT.format(package=package, name=name, first=where[name], second=module))
            where[name] = module

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(NO_ATTRIBUTE.format(package=package, name=name))
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return list(where), __getattr__, __dir__

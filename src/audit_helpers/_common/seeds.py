"""Seeds: every random stream of a run derives from the run seed and a purpose, one way.

``derive_seed(seed, "models/train")`` and ``derive_seed(seed, "fairness", model, split)`` give
independent, reproducible streams (string keys hashed with CRC-32, which unlike ``hash`` is
stable across processes). The result is always a :class:`numpy.random.SeedSequence`;
:func:`seed_int` turns one into the 32-bit integer that scikit-learn estimators take.
"""

from __future__ import annotations

import zlib
from typing import Union

import numpy as np

RandomState = Union[None, int, np.random.SeedSequence, np.random.Generator]
NO_RANDOM_STATE = "random_state is required (an int or a numpy Generator) for reproducible results"
RANDOM_STATE_ERROR = "random_state must be an int, a numpy SeedSequence or a numpy Generator; got {got!r}."


def _entropy(base: Union[int, np.random.SeedSequence]) -> list[int]:
    if isinstance(base, np.random.SeedSequence):
        entropy = base.entropy
        words = list(entropy) if isinstance(entropy, (list, tuple, np.ndarray)) else [entropy]
        return [int(w) for w in words] + [int(k) for k in base.spawn_key]
    return [int(base)]


def derive_seed(base: Union[int, np.random.SeedSequence], *keys: Union[str, int]) -> np.random.SeedSequence:
    """The seed of one purpose, derived from a run seed (or a parent stream) and keys.

    Parameters
    ----------
    base : int or numpy.random.SeedSequence
        The run seed, or a stream derived earlier (its keys come first).
    *keys : str or int
        Labels of the purpose, e.g. ``"fairness", "logistic_regression", "test"``.

    Returns
    -------
    numpy.random.SeedSequence
        ``SeedSequence([base, *keys])`` with string keys replaced by their CRC-32; the same
        arguments always give the same stream.
    """
    words = _entropy(base) + [zlib.crc32(k.encode("utf-8")) if isinstance(k, str) else int(k) for k in keys]
    return np.random.SeedSequence(words)


def seed_int(seed: np.random.SeedSequence) -> int:
    """The 32-bit integer seed of a stream (what scikit-learn's ``random_state`` takes)."""
    return int(seed.generate_state(1)[0])


def as_int_seed(random_state: RandomState) -> int:
    """An integer seed from a user's ``random_state`` (int, SeedSequence or Generator).

    A Generator gives its next integer (so it advances); ``None`` is refused, because every
    computation of the audit must be reproducible.
    """
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**32 - 1))
    if isinstance(random_state, np.random.SeedSequence):
        return seed_int(random_state)
    if random_state is None:
        raise ValueError(NO_RANDOM_STATE)
    return int(random_state)


def as_generator(random_state: RandomState) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from an int, a SeedSequence or a Generator (returned as is).

    Raises
    ------
    TypeError
        For ``None``, a bool or any other type (message :data:`RANDOM_STATE_ERROR`).
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, (bool, np.bool_)) or random_state is None:
        raise TypeError(RANDOM_STATE_ERROR.format(got=random_state))
    if isinstance(random_state, (int, np.integer, np.random.SeedSequence)):
        return np.random.default_rng(random_state)
    raise TypeError(RANDOM_STATE_ERROR.format(got=random_state))

"""Seeds (audit_helpers._common.seeds): derived streams, integer seeds, generators.

Oracles: ``numpy.random.SeedSequence`` built by hand from the run seed and the CRC-32 of the
keys, the historical model-seed formula, and a fresh interpreter with another hash seed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zlib

import numpy as np
import pytest

from audit_helpers._common.seeds import (
    NO_RANDOM_STATE,
    RANDOM_STATE_ERROR,
    as_generator,
    as_int_seed,
    derive_seed,
    seed_int,
)


def test_derive_seed_is_stable():
    assert derive_seed(1, "a", "b").generate_state(2).tolist() == derive_seed(1, "a", "b").generate_state(2).tolist()
    assert derive_seed(1, "a", "b").generate_state(2).tolist() != derive_seed(1, "b", "a").generate_state(2).tolist()
    assert derive_seed(7, "model", "test").entropy == [7, zlib.crc32(b"model"), zlib.crc32(b"test")]
    # a stream derived from a derived stream is the stream of all the keys at once
    assert derive_seed(derive_seed(7, "model"), "test").entropy == derive_seed(7, "model", "test").entropy


def test_derive_seed_returns_a_seed_sequence_of_the_crc32_words():
    seq = derive_seed(42, "fairness", "logistic_regression", "test")
    assert isinstance(seq, np.random.SeedSequence)
    words = [42, zlib.crc32(b"fairness"), zlib.crc32(b"logistic_regression"), zlib.crc32(b"test")]
    assert seq.entropy == words
    assert seq.generate_state(4).tolist() == np.random.SeedSequence(words).generate_state(4).tolist()
    # int keys are taken as they are, str keys are utf-8 encoded before hashing
    assert derive_seed(3, "a", 9).entropy == [3, zlib.crc32(b"a"), 9]
    assert derive_seed(3, "é").entropy == [3, zlib.crc32("é".encode("utf-8"))]
    assert derive_seed(3).entropy == [3]
    assert derive_seed(np.int64(3), "a").entropy == [3, zlib.crc32(b"a")]


def test_derive_seed_sensitive_to_seed_keys_and_order():
    states = {
        args: tuple(derive_seed(*args).generate_state(4).tolist())
        for args in [(1, "a", "b"), (1, "b", "a"), (2, "a", "b"), (1, "a"), (1, "a", "b", "c"), (1, "ab")]
    }
    assert len(set(states.values())) == len(states)


def test_derived_from_derived_equals_all_keys_at_once():
    for keys in (("models",), ("fairness", "rf"), ("fairness", "rf", "eval", 3)):
        for split in range(1, len(keys) + 1):
            parent = derive_seed(11, *keys[:split])
            nested = derive_seed(parent, *keys[split:])
            direct = derive_seed(11, *keys)
            assert nested.entropy == direct.entropy
            assert nested.generate_state(3).tolist() == direct.generate_state(3).tolist()
    twice = derive_seed(derive_seed(derive_seed(11, "a"), "b"), "c")
    assert twice.generate_state(2).tolist() == derive_seed(11, "a", "b", "c").generate_state(2).tolist()


def test_derive_seed_from_a_plain_and_a_spawned_seed_sequence():
    assert derive_seed(np.random.SeedSequence(5), "x").entropy == [5, zlib.crc32(b"x")]
    # a spawned child keeps its spawn key: siblings give different streams
    a, b = np.random.SeedSequence(5).spawn(2)
    assert derive_seed(a, "x").entropy == [5, 0, zlib.crc32(b"x")]
    assert derive_seed(b, "x").entropy == [5, 1, zlib.crc32(b"x")]


def test_derive_seed_stable_across_processes():
    code = "from audit_helpers._common.seeds import derive_seed; print(derive_seed(9, 'models', 'train').generate_state(3).tolist())"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip() == str(derive_seed(9, "models", "train").generate_state(3).tolist())


@pytest.mark.parametrize("seed", [0, 1, 7, 2024, 2**31 - 1])
@pytest.mark.parametrize("purpose", ["models/train", "models/search", "fairness", "drift/bootstrap"])
def test_seed_int_equals_historical_model_seed(seed, purpose):
    historical = int(np.random.SeedSequence([seed, zlib.crc32(purpose.encode())]).generate_state(1)[0])
    assert seed_int(derive_seed(seed, purpose)) == historical
    assert 0 <= historical < 2**32


def test_as_int_seed():
    assert as_int_seed(5) == 5 and isinstance(as_int_seed(np.int64(5)), int)
    seq = derive_seed(5, "x")
    assert as_int_seed(seq) == seed_int(seq)
    # a Generator gives its next integer, so it advances
    gen = np.random.default_rng(0)
    first, second = as_int_seed(gen), as_int_seed(gen)
    oracle = np.random.default_rng(0)
    assert first == int(oracle.integers(0, 2**32 - 1)) and second == int(oracle.integers(0, 2**32 - 1))
    assert first != second
    assert isinstance(first, int) and 0 <= first < 2**32
    with pytest.raises(ValueError, match=re.escape(NO_RANDOM_STATE)):
        as_int_seed(None)


def test_as_generator():
    gen = np.random.default_rng(3)
    assert as_generator(gen) is gen
    assert as_generator(3).random(4).tolist() == np.random.default_rng(3).random(4).tolist()
    assert as_generator(np.int32(3)).random(4).tolist() == np.random.default_rng(3).random(4).tolist()
    seq = derive_seed(3, "x")
    assert as_generator(seq).random(4).tolist() == np.random.default_rng(derive_seed(3, "x")).random(4).tolist()


@pytest.mark.parametrize("bad", [None, True, False, np.bool_(True), "3", 1.5, [1, 2]])
def test_as_generator_refuses_other_types(bad):
    with pytest.raises(TypeError, match=re.escape(RANDOM_STATE_ERROR.format(got=bad))):
        as_generator(bad)

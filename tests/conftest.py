"""Shared fixtures: the bundled samples and small helpers to make report variants."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "tiltak-2014-02.txt"
FYLKE = ROOT / "samples" / "fylke-2015-06.txt"
BAD = Path(__file__).resolve().parent / "data" / "bad"


@pytest.fixture(scope="session", autouse=True)
def _private_template_cache(tmp_path_factory):
    """Tests never read or write the user's ~/.cache (and start with no compiled template)."""
    import os

    os.environ["TILTAK2XLSX_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture(scope="session")
def sample_report():
    from converter import parse_report

    return parse_report(SAMPLE)


def mutate(data: bytes, old: bytes, new: bytes) -> bytes:
    """Replace exactly one occurrence (a test that silently changes nothing cannot fail)."""
    assert data.count(old) == 1, f"{old!r} occurs {data.count(old)} times"
    return data.replace(old, new)

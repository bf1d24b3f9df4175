"""Optional capabilities of the test suite: skipped where missing, unless required.

Some tests need what a plain ``pip install -e ".[test]"`` does not bring: a browser
(``browser``: Chromium and chromedriver), PyTorch (``torch``), ONNX and onnxruntime
(``onnx``), a C compiler (``cc``), a Jupyter kernel (``notebook``). Where one is
missing its tests skip, with the reason, on anyone's machine, whether or not CI=true.
``SCALAR_AUTOGRAD_REQUIRE`` (comma-separated names) turns those skips into failures:
``.ci/run`` sets it, so our CI cannot skip them silently.
"""

from __future__ import annotations

import os

import pytest

CAPABILITIES = ("browser", "torch", "onnx", "cc", "notebook")

REQUIRED = frozenset(
    name.strip()
    for name in os.environ.get("SCALAR_AUTOGRAD_REQUIRE", "").split(",")
    if name.strip()
)

_unknown = REQUIRED.difference(CAPABILITIES)
if _unknown:  # a typo in CI must not silently require nothing
    raise RuntimeError(
        f"SCALAR_AUTOGRAD_REQUIRE names unknown capabilities {sorted(_unknown)}; "
        f"known: {', '.join(CAPABILITIES)}"
    )


def missing(capability: str, reason: str) -> None:
    """Skip the calling test for a missing ``capability``, or fail if it is required."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    if capability in REQUIRED:
        pytest.fail(
            f"{capability} is required (SCALAR_AUTOGRAD_REQUIRE) but missing: {reason}"
        )
    pytest.skip(reason)

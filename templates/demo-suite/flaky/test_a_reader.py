"""The victim of an order-dependent pair: it assumes nobody changed the shared setting before it.

Collected before test_b_writer.py, so in pytest's usual order it passes; run after the writer
(reversed, or in some shuffles) it fails. FlaPy found most flaky tests in Python projects of this kind.
"""
import settings


def test_default_mode_is_strict():
    assert settings.MODE == "strict", f"expected the default mode 'strict', found {settings.MODE!r}"

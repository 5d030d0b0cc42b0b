"""The polluter of the order-dependent pair: it changes a shared setting and never puts it back."""
import settings


def test_legacy_mode_can_be_enabled():
    settings.MODE = "legacy"
    assert settings.MODE == "legacy"

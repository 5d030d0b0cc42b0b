"""flakehunt's test-order perturbation, loaded with `-p flakehunt_order` when a sweep asks for it.

FLAKEHUNT_ORDER=shuffle:<seed> shuffles pytest's collected items with that seed; =reverse reverses
them. Under pytest-xdist every worker collects with the same variable, so all of them agree on
the order (xdist refuses workers that collected differently).
"""
import os
import random

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    order = os.environ.get("FLAKEHUNT_ORDER", "")
    if order == "reverse":
        items.reverse()
    elif order.startswith("shuffle:"):
        random.Random(int(order.split(":", 1)[1])).shuffle(items)

"""The tests' clock: `with at(moment):` runs the block at that moment, the clock stopped there;
`frozen = frozen_at(T)` at a module's top stops it at T for every test of the module."""

import pytest
import time_machine


def at(moment):
    """The clock stopped at `moment` (a context manager, also usable as a decorator)."""
    return time_machine.travel(moment, tick=False)


def frozen_at(moment):
    """An autouse fixture for a module: each of its tests runs with the clock stopped at `moment`.
    Its value is time-machine's traveller, for a test that moves the clock on."""

    @pytest.fixture(autouse=True)
    def frozen():
        with at(moment) as traveller:
            yield traveller

    return frozen

"""The procedure, one stage per module; each process is a generator that SimPy runs.

incident -> detection -> awareness (sharing, evidence, INTCEN, shared awareness) -> initiation
-> hwpci -> psc -> council (adoption) -> reaction. ``meetings`` holds the bodies' calendars and
``injects`` applies what the MSEL and the facilitator put in.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

import simpy

R = TypeVar("R")

#: What a stage process (or a step of one, run with ``yield from``) is: a generator that yields
#: SimPy events to wait on, is sent what they fire with, and returns an ``R``.
ProcessGenerator = Generator[simpy.Event, Any, R]

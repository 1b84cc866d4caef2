"""The procedure, one stage per module; each process is a generator that SimPy runs.

incident -> detection -> awareness (sharing, evidence, INTCEN, shared awareness) -> initiation
-> hwpci -> psc -> council (adoption) -> reaction. ``meetings`` holds the bodies' calendars and
``injects`` applies what the MSEL and the facilitator put in.
"""

"""Recordings: the writer (:class:`Recorder`, JSON Lines with a digest chain) and the reader
(:func:`open`, verify, scrub and branch). See docs/recording-format.md.

The recording is the single source of truth of an exercise: everything a person did is in it as
an input event, so it re-simulates exactly.
"""

from .reader import Difference, Recording, RecordingWarning, VerifyResult, open
from .writer import FORMAT_VERSION, Recorder, RecordingError, event_line, header_for

__all__ = [
    "FORMAT_VERSION",
    "Difference",
    "Recorder",
    "Recording",
    "RecordingError",
    "RecordingWarning",
    "VerifyResult",
    "event_line",
    "header_for",
    "open",
]

"""The log-normal fit of the record's first public attributions behind the model's attribution
clock (docs/model.md, *Public attribution takes months*).

    python bench/attribution_fit.py           # the record, both fits, the model's constants
    python bench/attribution_fit.py --check   # exit 1 if docs/model.md quotes other figures

The record (domain.md, docs/calibration.md): for each case, the first date on record that the
campaign was known -- its detection by the victim's services where that is public (the OPCW
attempt, caught on the day), else its disclosure -- as the model's clock starts at a campaign's
first detection; and the first public attribution by a capital or a partner. Two fits of a log-normal: to the days as they are (every case listed was
attributed in the end), and censored at a year (the cases beyond a year counted only as "more
than a year", as the model's first fit did). Each gives the maximum-likelihood median and sigma,
and a 95% profile-likelihood interval for the median (deviance below 3.84); the model's own
constants (``PUBLIC_ATTRIBUTION_MEDIAN_DAYS``, ``PUBLIC_ATTRIBUTION_SIGMA``) are shown with their
deviance from the fit. Pure numpy, a grid of medians and sigmas: instant.
tests/test_attribution_fit.py checks that docs/model.md quotes what this prints.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
from datetime import date
from pathlib import Path

import numpy as np
from record import says

from actors import national

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "model.md"

#: (case, first known (detected or disclosed), first public attribution, who and source)
RECORD: list[tuple[str, date, date, str]] = [
    ("Albania 2022", date(2022, 7, 15), date(2022, 9, 7), "Albania and the US"),
    ("Viasat KA-SAT", date(2022, 2, 24), date(2022, 5, 10), "the EU, UK, US and others"),
    ("SolarWinds", date(2020, 12, 13), date(2021, 4, 15), "the US (disclosure 13 Dec 2020)"),
    ("Microsoft Exchange / APT31", date(2021, 3, 2), date(2021, 7, 19), "the UK, US and EU"),
    ("OPCW attempt", date(2018, 4, 13), date(2018, 10, 4), "the Netherlands"),
    ("WannaCry", date(2017, 5, 12), date(2017, 12, 19), "the UK and the US (calib-wannacry-notpetya)"),
    ("NotPetya", date(2017, 6, 27), date(2018, 2, 15), "the UK and the US"),
    ("Ghostwriter", date(2020, 7, 28), date(2021, 9, 6), "Germany (Mandiant's report of 2020)"),
    ("APT28 2024 (Outlook)", date(2023, 3, 14), date(2024, 5, 3), "Germany and Czechia "
     "(the exploitation disclosed with Microsoft's patch)"),
    ("Cloud Hopper / APT10", date(2017, 4, 3), date(2018, 12, 20), "the US and the UK "
     "(PwC and BAE's report of 2017)"),
    ("Bundestag hack", date(2015, 5, 12), date(2020, 5, 5), "Germany (the arrest warrant)"),
]  # fmt: skip

YEAR = 365
#: deviance of the 95% profile-likelihood interval (chi-squared, one degree of freedom)
CHI2_95 = 3.841


def days() -> list[int]:
    """Days from a case's disclosure to its first public attribution, in :data:`RECORD` order."""
    return [(attributed - public).days for _, public, attributed, _ in RECORD]


def _log_sf(z: np.ndarray) -> np.ndarray:
    """log P(N(0,1) > z), element-wise."""
    erfc = np.vectorize(math.erfc)
    return np.log(0.5 * erfc(z / math.sqrt(2.0)))


def log_likelihood(mu: np.ndarray, sigma: np.ndarray, censor: float | None) -> np.ndarray:
    """Log-likelihood of the record under log-normal(mu, sigma) (broadcast), the days beyond
    ``censor`` counted only as beyond it (None: every day as it is)."""
    logs = np.log(np.array(days(), dtype=float))
    seen = logs if censor is None else logs[logs <= math.log(censor)]
    beyond = 0 if censor is None else int((logs > math.log(censor)).sum())
    total = np.zeros(np.broadcast(mu, sigma).shape)
    for x in seen:
        total = total - np.log(sigma) - 0.5 * ((x - mu) / sigma) ** 2
    if beyond:
        total = total + beyond * _log_sf((math.log(censor) - mu) / sigma)  # type: ignore[arg-type]
    return total


def _grid(medians: np.ndarray, sigmas: np.ndarray, censor: float | None):
    mu, sigma = np.meshgrid(np.log(medians), sigmas, indexing="ij")
    return log_likelihood(mu, sigma, censor)


@functools.cache  # the record and the constants do not change within a process
def fit(censor: float | None) -> dict[str, float]:
    """The maximum-likelihood median and sigma (a grid of 1 d by 0.002 from 30 d to 3,000 d,
    then one of 0.01 d by 0.0001 around its best), the 95% profile interval of the median (to
    the day), and the deviance of the model's constants."""
    medians = np.arange(30.0, 3000.0, 1.0)
    sigmas = np.arange(0.2, 3.0, 0.002)
    ll = _grid(medians, sigmas, censor)
    best = np.unravel_index(int(np.argmax(ll)), ll.shape)
    profile = ll.max(axis=1)
    inside = medians[2.0 * (ll.max() - profile) <= CHI2_95]
    if not medians[0] < inside.min() <= inside.max() < medians[-1]:
        raise ValueError("the 95% interval reaches the grid's edge: widen the grid")
    fine_medians = np.arange(medians[best[0]] - 1.0, medians[best[0]] + 1.0, 0.01)
    fine_sigmas = np.arange(sigmas[best[1]] - 0.002, sigmas[best[1]] + 0.002, 0.0001)
    fine = _grid(fine_medians, fine_sigmas, censor)
    top = np.unravel_index(int(np.argmax(fine)), fine.shape)
    model = log_likelihood(np.array(math.log(national.PUBLIC_ATTRIBUTION_MEDIAN_DAYS)),
                           np.array(national.PUBLIC_ATTRIBUTION_SIGMA), censor)  # fmt: skip
    return {
        "median": float(fine_medians[top[0]]),
        "sigma": float(fine_sigmas[top[1]]),
        "low": float(inside.min()),
        "high": float(inside.max()),
        "model_deviance": float(2.0 * (fine.max() - model)),
    }


def figures() -> dict[str, str]:
    """The figures docs/model.md quotes, name -> text."""
    plain, censored = fit(None), fit(YEAR)
    return {
        "cases": str(len(RECORD)),
        "beyond_a_year": str(sum(1 for d in days() if d > YEAR)),
        "fit": f"median {plain['median']:.0f} d, σ {plain['sigma']:.2f}",
        "interval": f"{plain['low']:.0f}-{plain['high']:.0f} d",
        "censored_fit": f"median {censored['median']:.0f} d, σ {censored['sigma']:.2f}",
        "censored_interval": f"{censored['low']:.0f}-{censored['high']:.0f} d",
        "model_deviance": f"{plain['model_deviance']:.2f}",
    }


#: What docs/model.md says, filled in from :func:`figures`.
QUOTE = ("over the {cases} cases (fit: {fit}, 95% profile interval of the median {interval}; "
         "counting the {beyond_a_year} beyond a year only as beyond it: {censored_fit}, "
         "{censored_interval}). The model's delay is the first fit.")  # fmt: skip


def misquoted(text: str | None = None) -> str | None:
    """What docs/model.md should say and does not (None when it does)."""
    quote = QUOTE.format(**figures())
    return None if says(text if text is not None else DOC.read_text(encoding="utf-8"), quote) else quote


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/model.md disagrees")
    args = ap.parse_args()
    for (case, public, attributed, who), n in zip(RECORD, days(), strict=True):
        print(f"{case:28} {public} -> {attributed}  {n:5d} d  {who}")
    for name, value in figures().items():
        print(f"{name} = {value}")
    if args.check and (wrong := misquoted()):
        print(f"docs/model.md: does not say {wrong!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

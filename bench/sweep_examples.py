"""The figures docs/sweeps.md quotes in *Model constants*, *Outcomes* and *Series*, printed by the
sweep they come from (tests/test_outcomes.py checks that the page holds this output).

python bench/sweep_examples.py        # runs the example sweep (120 runs, about 2 s on 2 cores)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from sim import sweep as sw
from sim.sweep.outcomes import series_file
from sim.sweep.summary import show_rate

#: The example of docs/sweeps.md: how far does the model's listing veto threshold decide whether
#: a tied capital blocks the Bundestag listing?
SPEC = {
    "name": "veto-threshold",
    "title": "Listing veto threshold vs the Bundestag listing",
    "base": "calib-bundestag",
    "seed": 1,
    "seeds": 40,
    "vary": {"model.listing_veto_at": [-0.9, -0.7, -0.5], "member_states.HU.ties.RU": [0.75]},
    "outcomes": {
        "listing_adopted": {"event": "adopted", "measure": "listing"},
        "listing_by_day_300": {"event": "adopted", "measure": "listing", "by": "300d"},
        "hu_blocked_listing": {"blocked_by": "HU", "measure": "listing"},
    },
    "series": {"fields": ["adopted", "states.HU.position"], "every": "60d"},
}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "veto.parquet"
        sw.run_sweep(sw.Sweep(sw.spec_from_dict(SPEC)), out, jobs=2)
        summary = sw.summarize(out)
        names = list(SPEC["outcomes"])
        print("listing_veto_at  " + "  ".join(f"{n:>19}" for n in names))
        for p in summary["points"]:
            cells = "  ".join(f"{show_rate(p['outcomes'][n]):>19}" for n in names)
            print(f"{p['params']['model.listing_veto_at']:>15}  {cells}")
        rows = pq.read_table(series_file(out)).to_pylist()
        days = sorted({r["t"] / 24 for r in rows})
        print("\nmeasures adopted so far (mean over the runs), by day")
        print("listing_veto_at  " + "  ".join(f"{d:>4.0f}" for d in days))
        for p in summary["points"]:
            at = p["params"]["model.listing_veto_at"]
            means = []
            for d in days:
                these = [r["adopted"] for r in rows if r["point"] == p["point"] and r["t"] / 24 == d]
                means.append(f"{sum(these) / len(these):>4.2f}")
            print(f"{at:>15}  " + "  ".join(means))


if __name__ == "__main__":
    sys.exit(main())

"""What large and hostile inputs cost: time and peak memory of the command a person would run.

    python bench/inputs.py [--part report|yaml|csv] [--record]

Each command runs as its own process (Python's start-up included, as a user meets it); its peak
RSS is read from the process itself when it ends.

- ``report``: a results CSV of 100,000 points (one run each, rows of a real grid-wiper run):
  ``cdtx report`` to HTML (time, peak RSS, page size) and ``cdtx sweep --summary`` (peak RSS).
  docs/sweeps.md, *Report*, docs/reports.md and docs/security.md quote it.
- ``yaml``: a 2 MB scenario file of one-letter values (a YAML list of 500,000 ``a``): ``cdtx
  validate`` refuses it at the 200,000th value (docs/security.md, *alias bombs*).
- ``csv``: an MSEL CSV whose one line holds 15 million commas: ``cdtx msel import`` refuses it
  before Python's csv module splits it (docs/security.md, *XLSX: zip bombs*).

``--record`` writes each part's figures to bench/results/inputs-PART.txt (bench/record.py).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import add_option, fig, recording_if_asked

#: Runs ``cdtx ARGS`` in this process and prints its peak RSS (KB) on stderr's last line.
WRAP = """import resource, sys
from tui.cli import main
try:
    code = main(sys.argv[1:])
finally:
    print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def cdtx(*args: str) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit status) of ``cdtx ARGS`` in a fresh process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAP, *args], capture_output=True, text=True,
                          check=False)  # fmt: skip
    wall = time.perf_counter() - start
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("MAXRSS"), done.stderr[-2000:]
    return wall, int(last.split()[1]) / 1024, done.returncode


def report(d: Path) -> None:
    from sim import sweep as sw

    one = d / "one.csv"
    sw.run_sweep(sw.Sweep(sw.spec_from_dict({"base": "grid-wiper", "seed": 1, "seeds": 1,
                                             "vary": {"member_states.HU.ties.RU": [0.5]}})),
                 one, jobs=1)  # fmt: skip
    with one.open(newline="") as f:
        header, row = list(csv.reader(f))[:2]
    big = d / "big.csv"
    param = header.index("member_states.HU.ties.RU")
    with big.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for p in range(100_000):
            row[0], row[param] = str(p), f"{p / 100_000:.6f}"
            w.writerow(row)
    mb = big.stat().st_size / 1e6
    page = d / "big.html"
    t, rss, code = cdtx("report", str(big), "-o", str(page))
    assert code == 0
    t_sum, rss_sum, code = cdtx("sweep", "--summary", str(big))
    assert code == 0
    print(f"a results CSV of {fig('points', 100_000, ',')} points ({fig('csv_mb', mb, '.1f')} MB): "
          f"cdtx report to HTML {fig('report_s', t, '.1f')} s, peak RSS {fig('report_mb', rss, '.0f')} "
          f"MB, a page of {fig('page_kb', page.stat().st_size / 1024, ',.0f')} KB; cdtx sweep "
          f"--summary {fig('summary_s', t_sum, '.1f')} s, peak RSS {fig('summary_mb', rss_sum, '.0f')} MB")  # fmt: skip
    t0, rss0, _ = cdtx("--version")
    print(f"  (cdtx --version alone: {fig('startup_s', t0, '.2f')} s, peak RSS "
          f"{fig('startup_mb', rss0, '.0f')} MB)")  # fmt: skip


def yaml_values(d: Path) -> None:
    path = d / "values.yaml"
    path.write_text("- a\n" * 500_000)
    mb = path.stat().st_size / 1e6
    t, rss, code = cdtx("validate", str(path))
    assert code == 1
    print(f"a {fig('yaml_mb', mb, '.0f')} MB YAML file of one-letter values: cdtx validate refuses "
          f"it in {fig('yaml_s', t, '.1f')} s, peak RSS {fig('yaml_rss_mb', rss, '.0f')} MB")  # fmt: skip


def csv_commas(d: Path) -> None:
    from scenarios import msel

    path = d / "wide.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(msel.HEADERS) + "\r\n")
        f.write("," * 15_000_000 + "\r\n")
    t, rss, code = cdtx("msel", "import", str(path), "--into", "grid-wiper")
    assert code == 1
    print(f"an MSEL CSV line of {fig('commas', 15_000_000, ',')} commas: cdtx msel import refuses "
          f"it in {fig('csv_s', t, '.1f')} s, peak RSS {fig('csv_rss_mb', rss, '.0f')} MB")  # fmt: skip


PARTS = {"report": report, "yaml": yaml_values, "csv": csv_commas}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", action="append", choices=list(PARTS),
                    help="run only this part (repeatable); default: all")  # fmt: skip
    add_option(ap, "inputs-PART")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cdtx-bench-inputs-") as tmp:
        for name in args.part or list(PARTS):
            with recording_if_asked(args, f"inputs-{name}"):
                PARTS[name](Path(tmp))


if __name__ == "__main__":
    main()

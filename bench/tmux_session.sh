#!/usr/bin/env bash
# A whole facilitator session of `cdtx play grid-wiper --players DE,PL`, driven in tmux with
# send-keys and captured with capture-pane: what docs/walkthrough-session.md shows. Not a test
# (it waits on a real terminal); run it by hand after changing the console, and read the panes.
#
#   bench/tmux_session.sh [WIDTHxHEIGHT] [OUTDIR]      e.g. bench/tmux_session.sh 80x24 /tmp/s80
#
# Needs tmux and `cdtx` on the PATH (or PYTHONPATH pointing at a checkout). Writes OUTDIR/NN-name.txt
# (one pane per step), OUTDIR/session.jsonl (the recording), verify.txt and notes.md (the
# report's notes). Keys go one at a time with a short pause where a key moves the focus: tmux
# delivers a burst at once, faster than any person types, and Textual hands a key to the
# widget focused when it arrives (the console's own `f` is safe against that; forms are not).
set -euo pipefail

SIZE=${1:-80x24}
OUT=${2:-$(mktemp -d "/tmp/cdtx-session-$SIZE.XXXX")}
WIDTH=${SIZE%x*}
HEIGHT=${SIZE#*x}
SOCKET="cdtx-walkthrough-$$"
SESSION=play
STEP=0
# OUTDIR must be new or empty: the panes and the recording are written there, nothing removed.
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT")" ]; then
    echo "$OUT is not empty: give a new or empty OUTDIR" >&2
    exit 1
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

tm() { tmux -L "$SOCKET" "$@"; }
cleanup() { tm kill-server 2>/dev/null || true; }
trap cleanup EXIT

pane() { tm capture-pane -p -t "$SESSION"; }
# keys KEY...: each key, then a pause long enough for the console to handle it
keys() { for k in "$@"; do tm send-keys -t "$SESSION" "$k"; sleep 0.35; done; }
type_text() { tm send-keys -t "$SESSION" -l "$1"; sleep 0.4; }
# wait_for PATTERN [SECONDS]: until the pane shows PATTERN (grep -E)
wait_for() {
    local deadline=$((SECONDS + ${2:-20}))
    until pane | grep -qE -- "$1"; do
        if ((SECONDS > deadline)); then
            echo "timed out waiting for: $1" >&2
            pane >&2
            return 1
        fi
        sleep 0.3
    done
    sleep 0.5 # let the frame settle
}
capture() { STEP=$((STEP + 1)); pane >"$(printf '%s/%02d-%s.txt' "$OUT" "$STEP" "$1")"; }
# next_until PATTERN: press n (next stop) until the pane shows PATTERN
next_until() {
    for _ in $(seq 30); do
        if pane | grep -qE -- "$1"; then sleep 0.5; return 0; fi
        keys n
        sleep 1.2
    done
    wait_for "$1" 5
}

# answer_until PATTERN: like next_until, answering "support" (1, ctrl+s) in every decision dialog
# on the way (a redraft puts the new text to the played delegations again)
answer_until() {
    for _ in $(seq 60); do
        if pane | grep -qE -- "$1"; then sleep 0.5; return 0; fi
        if pane | grep -qE "Decision needed from a played"; then
            keys 1 C-s
            sleep 0.8
            continue
        fi
        keys n
        sleep 1.2
    done
    wait_for "$1" 5
}

start() { # start COMMAND...: a console in a fresh tmux session of the given size
    tm kill-session -t "$SESSION" 2>/dev/null || true
    tm new-session -d -s "$SESSION" -x "$WIDTH" -y "$HEIGHT" \
        "cd '$OUT' && TERM=xterm-256color $*; sleep 30"
}

# -- the live session ------------------------------------------------------------------------
start cdtx play grid-wiper --players DE,PL --record session.jsonl
wait_for "will record to"
capture start # --players replaced the scenario's LT: said on screen

keys n # to the first MSEL inject: to whom it goes
wait_for "T\+0d 01:00"
capture to-addressing

keys n # T+0d 12:00: twelve hours, written so
wait_for "T\+0d 12:00"
capture time-format

# The upcoming MSEL list (tab from the timeline: board, tracker, MSEL), on M-04.
keys Tab Tab Tab Home Down
keys e # fire asks first
wait_for "now\?"
capture confirm-fire
keys n
keys r # edit M-04: Hold = yes (the form's last field)
wait_for "Inject \(ctrl"
keys BTab Enter Down Enter
wait_for "Hold the clock"
capture hold-in-form
keys C-s
wait_for "M-04-edited"
keys Tab # back to the timeline

next_until "holding at M-04-edited"
capture held
keys l
wait_for "released"
capture released

next_until "Shared aw.* T\+4d"
next_until "T\+5d 00:00"
capture tracker # when each milestone was reached, then what changed
keys Tab # the board
keys Tab # the tracker
keys z
sleep 0.8
capture tracker-zoomed
keys z Tab Tab # back: the MSEL list, then the timeline

# A note over two lines, tagged to OBJ-2 and PL; then edited.
keys m
wait_for "Facilitator note"
type_text "PL asks for a map of the outages"
keys Enter
type_text "before the PSC decides."
keys BTab
type_text "PL"
keys BTab Enter Down Down Enter
capture note-form
keys C-s
wait_for "Note recorded"
capture note
keys M
wait_for "edit: the recording keeps"
keys Down End
type_text " Map sent at 14:00."
capture note-edit-form
keys C-s
wait_for "edited"
capture note-edited

# p on the board once the clock runs asks first.
keys Tab # timeline -> board
keys p
wait_for "Hand .* to"
capture confirm-handover
keys n
keys Tab Tab Tab # back to the timeline

# The decision: nothing preselected; ctrl+s without a choice records nothing.
next_until "Decision needed from a played"
capture decision-none-chosen
keys C-s
wait_for "Choose a position first"
capture decision-refused
keys 4 Tab
type_text "Berlin wants the evidence package first"
capture decision-chosen
keys C-s
wait_for "\(given\)"
capture decision-second # PL sees DE's answer and statement
keys 1 C-s
wait_for "opp"
capture board-answers

# DE's veto: the chair redrafts with weaker wording and puts the new text to DE and PL again.
next_until "Decision needed from a played"
capture asked-again-after-redraft
answer_until " ended "
capture ended

# The evaluator's screen, a rating and the hot wash.
keys v
wait_for "Evaluation: objectives"
capture evaluator
keys r
wait_for "automatic rating"
keys Enter Down Down Enter Tab # S, then the reason
type_text "Awareness on time, after INTCEN's assessment at T+2d."
keys C-s
keys h
wait_for "Hot wash:"
type_text "DE"
keys Tab Enter Down Enter Tab # strength
type_text "Berlin said at the table what it needed before it could support."
capture hotwash-form
keys C-s
wait_for "hotwash recorded"
capture hotwash
keys Escape q
sleep 3

PYTHON=$(command -v python3)
(cd "$OUT" && cdtx replay session.jsonl --verify >verify.txt 2>&1) || true
(cd "$OUT" && cdtx report session.jsonl -o report.md >/dev/null 2>&1 &&
    sed -n '/^## Facilitator notes/,/^## MSEL/p' report.md | sed '$d' >notes.md) || true

# -- replay and branch -------------------------------------------------------------------------
# Back to the first decision request (the cursor counts events shown), then b.
BACK=$("$PYTHON" - "$OUT/session.jsonl" <<'EOF'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if '"kind"' in line]
events = [e for e in events if "seq" in e]
first = next(e["seq"] for e in events if e["kind"] == "decision_request")
print(len(events) - (first + 1))
EOF
)
start cdtx replay session.jsonl
wait_for "replay [0-9]+/"
for _ in $(seq "$BACK"); do tm send-keys -t "$SESSION" "["; sleep 0.05; done
wait_for "Decision needed from played delegation DE"
capture replay-at-request
keys b
wait_for "Branched at"
capture branch # DE has not answered in the branch
keys Escape q
sleep 1
keys y
echo "panes in $OUT"

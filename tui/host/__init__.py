"""Hosting one exercise for many seats (``cdtx host`` / ``cdtx join``): the server, the seat
client and the seat's terminal view. Needs the ``websockets`` library (``pip install
'cdtx[host]'``). See docs/hosting.md."""

#: Tries to join before giving up (a host starting, a network coming back), and tries to rejoin
#: after the connection dropped (a host resumed with --resume takes a minute at most), each
#: RETRY_DELAY seconds apart (``cdtx join --retry-delay``): never for ever. Here, not in the
#: client, so that the command line names them without loading ``websockets``.
JOIN_ATTEMPTS, REJOIN_ATTEMPTS, RETRY_DELAY = 3, 90, 2.0

#: WebSocket close codes (4000-4999 are the application's): a seat refused (a wrong token), the
#: host stopped on purpose, a seat disconnected for sending more than its budget
#: (tui/host/budget.py), a seat freed by a facilitator for another device. Here, where both the
#: server and the seat client take them (web/static/app.js repeats them).
CLOSE_REFUSED, CLOSE_HOST_STOPPED, CLOSE_THROTTLED, CLOSE_FREED = 4001, 4002, 4003, 4004

"""Hosting one exercise for many seats (``cdtx host`` / ``cdtx join``): the server, the seat
client and the seat's terminal view. Needs the ``websockets`` library (``pip install
'cdtx[host]'``). See docs/hosting.md."""

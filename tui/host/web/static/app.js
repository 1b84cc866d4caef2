// The seat's page: connect, say hello with the token from the link's fragment, keep the
// state on <body data-state> (connecting, live, lost, ended), rejoin as `cdtx join` does, and
// hand each view the host sends to the role's module. The host folds and filters; this
// script only renders what it is given, scenario text always through textContent.

import { setText } from "./dom.js";

const ROLE_MODULES = {
  delegation: "./delegation.js",
  observer: "./wall.js",
  facilitator: "./facilitator.js",
  evaluator: "./evaluator.js",
};
// As cdtx join: rejoin every RETRY_MS, at most REJOIN_ATTEMPTS times, then give up.
const RETRY_MS = 2000;
const REJOIN_ATTEMPTS = 90;
// The host's close codes (tui/host/__init__.py).
const CLOSE_REFUSED = 4001, CLOSE_HOST_STOPPED = 4002, CLOSE_THROTTLED = 4003, CLOSE_FREED = 4004;

// The page's own directory, from where this script was loaded (the host names its files under a
// reverse proxy's path, /x/static/app.js, so a page opened at /x without its last slash still
// finds them): the WebSocket opens there, and the address bar is set to it.
const BASE = new URL("../", import.meta.url);

const token = takeToken();
const body = document.body;
let socket = null;
let role = null;
let module = null;
let latest = null; // the last view, rendered once the role's module has loaded
let briefMessage = null;
let msel = null; // the facilitator's MSEL rows, as last sent
let attempts = 0;
let nextId = 1;
const waiting = new Map();
const decoder = new TextDecoder();
let ended = false;

// The token comes in the link's fragment. It is kept for this tab only (sessionStorage: a reload
// rejoins) and taken out of the address bar and the history, where a projected screen or a
// synced browser history would show it.
function takeToken() {
  const fromLink = decodeURIComponent(location.hash.slice(1));
  if (fromLink) {
    try {
      sessionStorage.setItem("cdtx-token", fromLink);
    } catch (error) {
      // storage refused (a private window's settings): the page works until it is reloaded
    }
    history.replaceState(null, "", BASE.pathname + location.search);
    return fromLink;
  }
  try {
    return sessionStorage.getItem("cdtx-token") || "";
  } catch (error) {
    return "";
  }
}

function setState(state, message) {
  body.dataset.state = state;
  setText(document.getElementById("connection"), message);
}

export function feedback(message, isError = false) {
  const line = document.getElementById("feedback");
  line.dataset.error = isError ? "yes" : "no";
  setText(line, message);
}

// Send an action to the host; resolves with its ack, rejects with its refusal.
export function send(action, fields = {}) {
  return new Promise((resolve, reject) => {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      reject(new Error("not connected to the exercise"));
      return;
    }
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    socket.send(JSON.stringify({ action, id, ...fields }));
  });
}

// Send and say how it went in the feedback line; true when the host accepted it.
export async function act(action, fields, done) {
  try {
    await send(action, fields);
    if (done) feedback(done);
    return true;
  } catch (error) {
    feedback(error.message, true);
    return false;
  }
}

function end(message, run = { state: "offline", label: "Not connected" }) {
  ended = true;
  setState("ended", message);
  showRun(run);
}

// The header's run line once the page no longer follows the exercise: the last view's state
// ("Running", "Paused") would be stale there, however the line below the header puts it.
function showRun(run) {
  const runLine = document.getElementById("run-state");
  runLine.dataset.run = run.state;
  setText(runLine, run.label);
}

// The host stopped: an exercise that had run to its end still says so; any other is stopped.
function stoppedRun() {
  if (latest && latest.run.state === "ended") return latest.run;
  return { state: "stopped", label: "Stopped by the host" };
}

function connect() {
  const scheme = BASE.protocol === "https:" ? "wss:" : "ws:";
  // The page's directory, not "/": behind a reverse proxy the host may live under one (/x/).
  socket = new WebSocket(`${scheme}//${BASE.host}${BASE.pathname}`);
  socket.binaryType = "arraybuffer"; // the host sends JSON in binary frames (as to cdtx join)
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ hello: token, view: true }));
  });
  socket.addEventListener("message", (message) => {
    const data = typeof message.data === "string" ? message.data : decoder.decode(message.data);
    receive(JSON.parse(data));
  });
  socket.addEventListener("close", (close) => closed(close.code, close.reason));
}

function closed(code, reason) {
  for (const { reject } of waiting.values()) reject(new Error("the connection was lost"));
  waiting.clear();
  if (ended) return;
  if (code === CLOSE_REFUSED) return end(document.getElementById("connection").textContent);
  if (code === CLOSE_FREED && /new token/.test(reason || "")) {
    return end("This seat has a new link now: ask the facilitator for it.");
  }
  if (code === CLOSE_FREED) return end("The facilitator freed this seat: open your link again to take it.");
  if (code === CLOSE_HOST_STOPPED) return end("The host has stopped the exercise.", stoppedRun());
  attempts += 1;
  if (attempts > REJOIN_ATTEMPTS) return end("The host cannot be reached; ask the facilitator.");
  const why = code === CLOSE_THROTTLED ? "This seat sent too much and was disconnected" : "Connection lost";
  setState("lost", `${why}: rejoining in ${RETRY_MS / 1000} s (attempt ${attempts} of ${REJOIN_ATTEMPTS})…`);
  showRun({ state: "lost", label: "Reconnecting…" }); // the fresh view on rejoining says where it stands
  setTimeout(connect, RETRY_MS);
}

async function receive(message) {
  switch (message.type) {
    case "welcome":
      attempts = 0;
      if (!module) {
        role = message.seat.role;
        body.dataset.role = role;
        const loaded = await import(ROLE_MODULES[role]);
        loaded.setup(document.getElementById("main"), { send, act, feedback, welcome: message });
        module = loaded;
        if (briefMessage && module.brief) module.brief(briefMessage);
        if (latest) render(latest); // what arrived while the module loaded
      }
      setState("live", "");
      break;
    case "refused":
      if (message.retry) {
        setState("lost", message.message);
        showRun({ state: "lost", label: "Reconnecting…" });
      } else {
        end(message.message);
      }
      break;
    case "msel": // sent when it changes, not with every view
      if (!message.rows) break; // the terminal seat's form of it
      msel = message.rows;
      if (latest) render(latest);
      break;
    case "view":
      latest = message;
      if (module) render(message);
      break;
    case "brief":
      briefMessage = message;
      if (module && module.brief) module.brief(message);
      break;
    case "notice":
      feedback(message.message);
      break;
    case "ack":
    case "error": {
      const pending = waiting.get(message.id);
      if (!pending) return;
      waiting.delete(message.id);
      if (message.type === "ack") pending.resolve(message);
      else pending.reject(new Error(message.message));
      break;
    }
  }
}

function render(view) {
  const run = view.run;
  setText(document.getElementById("title"), view.title);
  setText(document.getElementById("seat-name"), view.seat.name);
  setText(document.getElementById("clock-time"), run.clock);
  setText(document.getElementById("clock-zone"), `${run.zone} (Brussels)`);
  setText(document.getElementById("clock-offset"), run.offset);
  showRun(run);
  document.title = `${view.seat.name} · ${view.title}`;
  if (msel) view.msel = msel;
  if (module) module.render(view);
}

if (!token) {
  end("This link has no seat token: open the link the facilitator gave you (it ends with #…).");
} else {
  connect();
}

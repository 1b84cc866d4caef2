// The facilitator's page: the clock, the held MSEL entry, the MSEL with Fire/Skip/Edit,
// injects, notes, messages from the seats, the seats themselves, expectations and the hot wash.

import { dialog, el, keyed, section, setText, stacking, textForm } from "./dom.js";
import { timeline } from "./evaluator.js";
import { expectations } from "./expectations.js";

const draw = keyed();
const parts = {};
let ctx;
let players = []; // the codes of the delegations played now (each view says; they change)
let ownSeat = null;
let marks;

function button(text, onclick, label) {
  return el("button", { type: "button", text, onclick, "aria-label": label || null });
}

export function setup(main, context) {
  ctx = context;
  ownSeat = context.welcome.seat.id;
  const speed = el("input", { id: "speed", name: "speed", type: "number", min: "0.01", step: "any", value: "1" });
  const speedForm = el("form", { id: "speed-form", class: "inline" },
    el("label", { for: "speed", text: "Speed (simulated hours per second)" }), speed,
    parts.setSpeed = el("button", { type: "submit", text: "Set speed" }));
  speedForm.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.act("clock", { speed: Number(speed.value) }, `Speed set to ${speed.value} h/s.`);
  });
  // Resume and Pause: the one that would change nothing is disabled (both once the exercise
  // has ended); the host's views say which. Focus moves to the other once one has acted.
  parts.resume = button("Resume", () => clockRun(true));
  parts.pause = button("Pause", () => clockRun(false));
  parts.speed = speed;
  const clock = el("div", { class: "controls" }, parts.resume, parts.pause, speedForm);

  const injectTo = el("select", { id: "inject-to", name: "to" });
  parts.injectTo = injectTo;
  // Said when the delegation chosen as addressee is no longer played (the select then falls
  // back to every delegation, and sending must not surprise the facilitator).
  parts.injectToGone = el("p", { id: "inject-to-gone", class: "help", role: "status" });
  injectTo.addEventListener("change", () => setText(parts.injectToGone, ""));
  const injectForm = textForm(ctx.act, {
    id: "inject-form", label: "Inject text (a note to the players)", action: "inject",
    done: "Inject sent.", submit: "Send inject",
    before: [el("label", { for: "inject-to", text: "To" }), injectTo, parts.injectToGone],
    fields: (text) => ({ inject: { type: "note", to: injectTo.value ? [injectTo.value] : [], message: text, params: { text } } }),
  });

  parts.chat = el("div", { class: "controls" });

  for (const name of ["held", "msel", "messages", "seats", "timeline"]) parts[name] = el("div");
  marks = expectations(ctx);
  main.append(
    section("clock", "Clock", clock, parts.held),
    section("seats", "Seats", parts.seats),
    section("messages", "Messages from the seats", parts.messages, parts.chat),
    section("inject", "Inject", injectForm),
    section("notes", "Notes", textForm(ctx.act, { id: "note-form", label: "Note (for the evaluation log)", action: "note", done: "Note recorded.", submit: "Record note" })),
    section("expectations", "Expectations", marks.node),
    section("msel", "MSEL", parts.msel),
    section("hotwash", "Hot wash", textForm(ctx.act, { id: "hotwash-form", label: "Hot wash point", action: "hotwash", done: "Hot wash point recorded.", submit: "Record point" })),
    section("timeline", "Timeline", parts.timeline),
  );
}

export function render(view) {
  players = view.players.map((p) => p.code);
  const to = parts.injectTo;
  const chosen = { code: to.value, name: to.selectedOptions[0]?.text };
  draw(to, view.players, (played) => [el("option", { value: "", text: "Every delegation" }),
    ...played.map((p) => el("option", { value: p.code, text: p.name }))]);
  // The options were redrawn: keep the addressee chosen while it is still played.
  if (chosen.code && to.value !== chosen.code) {
    if (players.includes(chosen.code)) to.value = chosen.code;
    else setText(parts.injectToGone, `${chosen.name} was handed back to the model: the inject now goes to every delegation.`);
  }
  clockControls(view.run);
  draw(parts.held, view.run.held, (held) => held.length
    ? el("p", { class: "held" }, `MSEL entry ${held[0]} is due and held: the clock waits for you. `,
      button(`Release ${held[0]}`, () => ctx.act("release", { msel: held[0] }, `${held[0]} released.`)))
    : null);
  draw(parts.seats, view.seats, seats);
  draw(parts.chat, view.chat_allowed, (allowed) => [
    el("p", { text: allowed ? "Delegations may chat with each other." : "Chat between delegations is closed." }),
    button(allowed ? "Close chat" : "Open chat", () => ctx.act("allow_chat", { allowed: !allowed },
      allowed ? "Chat between delegations closed." : "Chat between delegations opened."))]);
  draw(parts.messages, view.messages, (items) => items.length
    ? el("ul", { class: "messages" }, items.map((m) => el("li", {}, el("span", { class: "from", text: m.to ? `${m.from} to ${m.to}` : m.from }), ` ${m.text}`)))
    : el("p", { class: "empty", text: "No message yet." }));
  marks.render(view.expectations || []);
  draw(parts.msel, view.msel || [], msel);
  draw(parts.timeline, view.timeline, timeline);
}

async function clockRun(run) {
  if (await ctx.act("clock", { run }, run ? "The clock runs." : "The clock is paused.")) {
    const other = run ? parts.pause : parts.resume;
    other.disabled = false;
    other.focus();
    (run ? parts.resume : parts.pause).disabled = true;
  }
}

// The clock's controls as the host says it stands: the speed field shows the host's speed
// (unless it is being typed in), Resume and Pause the one that would change something.
function clockControls(run) {
  const ended = run.state === "ended";
  parts.resume.disabled = ended || run.running === true;
  parts.pause.disabled = ended || run.running === false;
  parts.setSpeed.disabled = ended;
  const speed = parts.speed;
  if (run.speed && document.activeElement !== speed && Number(speed.value) !== run.speed) {
    speed.value = String(Number(run.speed.toPrecision(6)));
  }
}

function seats(items) {
  return stacking(el("table", {},
    el("thead", {}, el("tr", {}, ["Seat", "Connected", "Actions"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, items.map((s) => el("tr", {},
      el("td", { text: s.name }),
      el("td", { text: s.console ? "this host's console" : s.connected ? "yes" : "no" }),
      el("td", { class: "controls" },
        s.connected && s.id !== ownSeat
          ? button("Free", () => ctx.act("free", { seat: s.id }, `Seat ${s.name} freed.`), `Free seat ${s.name}`) : null,
        s.link ? button("Link", () => showLink(s), `Link of seat ${s.name}`) : null,
        s.console ? null : button("New token", () => ctx.act("new_token", { seat: s.id },
          `Seat ${s.name} has a new link (Link shows it); the old one no longer works.`), `New token for ${s.name}`),
        s.role === "delegation" ? button("Share", () => ctx.act("share", { seat: s.id },
          `A second seat shares ${s.name}'s: its link is in Seats.`), `Share seat ${s.name}`) : null))))));
}

// A seat's web link and its terminal command, as the host makes them (at its --public-url, not
// this page's own address, which may be the listening one behind a proxy).
function showLink(seat) {
  dialog(`Link of seat ${seat.name}`, [
    el("p", { text: "Give it to the seat's people only: whoever holds it speaks for the seat." }),
    el("p", { class: "token", text: seat.link }),
    el("p", { class: "help", text: "In a terminal:" }),
    el("p", { class: "token", text: seat.join })]);
}

function msel(rows) {
  if (!rows.length) return el("p", { class: "empty", text: "The scenario has no MSEL." });
  return stacking(el("table", { class: "msel" },
    el("thead", {}, el("tr", {}, ["Entry", "At", "To", "Message", "Status", "Actions"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows.map((r) => el("tr", { "data-status": r.status },
      el("td", { text: r.id }), el("td", { text: r.at }), el("td", { text: r.to.join(", ") || "all" }),
      el("td", { text: r.message }), el("td", { text: r.status }),
      el("td", { class: "controls" }, r.status === "to come" || r.status === "held" ? [
        button("Fire", () => ctx.act("fire", { msel: r.id }, `${r.id} fired.`), `Fire ${r.id} now`),
        button("Skip", () => ctx.act("skip", { msel: r.id }, `${r.id} skipped.`), `Skip ${r.id}`),
        button("Edit", () => edit(r), `Edit ${r.id}`)] : null))))));
}

function edit(row) {
  const at = el("input", { id: "edit-at", name: "at", value: row.at.replace(/^T\+/, ""), "aria-describedby": "edit-at-help" });
  const message = el("textarea", { id: "edit-message", name: "message", rows: 3 });
  message.value = row.message;
  // The host's refusal is said here: the page's feedback line is under the dialog's backdrop.
  const refused = el("p", { id: "edit-error", class: "error", role: "alert" });
  const form = el("form", { method: "dialog" },
    el("label", { for: "edit-at", text: "When (e.g. 36h, 2d)" }), at,
    el("p", { id: "edit-at-help", class: "help", text: "Leave as it is to keep its time." }),
    el("label", { for: "edit-message", text: "Message" }), message,
    refused,
    el("button", { type: "submit", text: "Save" }));
  const box = dialog(`Edit ${row.id}`, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = { msel: row.id };
    if (at.value !== row.at.replace(/^T\+/, "")) fields.at = at.value;
    if (message.value !== row.message) fields.message = message.value;
    setText(refused, "");
    try {
      await ctx.send("edit", fields);
    } catch (error) {
      setText(refused, error.message);
      return;
    }
    ctx.feedback(`${row.id} edited.`);
    box.close();
  });
}

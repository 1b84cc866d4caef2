// The delegation's page: the decision asked of it (a form built from the positions the host
// declares), its inbox with acknowledgements, the procedure, public statements, messages to the
// facilitator and its brief.

import { assessment, cards, dialog, el, keyed, procedure, section, stacking, textForm } from "./dom.js";

let ctx;
const draw = keyed();
const parts = {};
let briefMessage = null;

export function setup(main, context) {
  ctx = context;
  const status = el("p", { role: "status", id: "request-status", text: "No decision is asked of you now." });
  parts.request = el("div", { id: "request-form" });
  parts.inbox = el("div");
  parts.inboxTitle = el("h2", { id: "inbox-title", text: "Inbox" });
  parts.procedure = el("div");
  parts.assessment = el("div");
  parts.statements = el("div");
  parts.adopted = el("div");
  parts.messages = el("div");
  parts.chat = el("div");
  parts.played = el("div");
  parts.status = status;

  const messageForm = parts.messageForm = textForm(ctx.act, {
    id: "message-form", label: "Message to the facilitator", action: "message", rows: 3,
    done: "Message sent to the facilitator.", submit: "Send message" });
  const briefButton = el("button", { type: "button", id: "brief-button", text: "Open your brief",
    onclick: () => showBrief() });

  main.append(
    section("decision", "Decision", status, parts.request),
    section("brief", "Your brief", el("p", { text: "What your delegation knows at the start, the rules of play and how decisions are asked." }), briefButton),
    el("section", { id: "inbox", "aria-labelledby": "inbox-title" }, parts.inboxTitle, parts.inbox),
    section("assessment", "EU assessment", parts.assessment),
    section("procedure", "Procedure", parts.procedure),
    section("adopted", "Adopted measures", parts.adopted),
    section("statements", "Public statements", parts.statements),
    section("messages", "Messages", parts.played, messageForm, parts.chat, parts.messages),
  );
}

export function brief(message) {
  briefMessage = message;
}

// A brief's table: [head, rows] (an empty head: a table of label and value, no header row).
function table(head, rows) {
  return stacking(el("table", {},
    head.some(Boolean) ? el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col", text: h })))) : null,
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", { text: c })))))));
}

function showBrief() {
  if (!briefMessage) return;
  const content = briefMessage.sections.map((s) => el("section", { class: "brief-section" },
    el("h3", { text: s.title }),
    (s.paragraphs || []).map((p) => el("p", { text: p })),
    s.items ? el("ul", {}, s.items.map((i) => el("li", { text: i }))) : null,
    s.table ? table(s.table[0], s.table[1]) : null));
  dialog(briefMessage.title, el("div", { class: "brief" }, content));
}

export function render(view) {
  const request = view.request;
  const statusText = request
    ? `Your decision is needed on ${request.measure} at the ${request.body}.`
    : "No decision is asked of you now.";
  if (parts.status.textContent !== statusText) parts.status.textContent = statusText;
  parts.status.dataset.asked = request ? "yes" : "no";
  draw(parts.request, request, decisionForm);
  parts.inboxTitle.textContent = view.unread ? `Inbox (${view.unread} unread)` : "Inbox";
  draw(parts.inbox, view.inbox, inbox);
  draw(parts.assessment, view.assessment, assessment);
  draw(parts.procedure, view.procedure, procedure);
  draw(parts.adopted, view.adopted, (items) => cards(items, "No measure adopted yet.",
    (a) => `Adopted: ${a.measure} (${a.body}, ${a.how})`));
  draw(parts.statements, view.statements, (items) => cards(items, "No public statement yet."));
  // Handed back to the model by the facilitator: this seat no longer writes (the host refuses).
  parts.messageForm.hidden = view.played === false;
  draw(parts.played, view.played, (played) => played === false
    ? el("p", { class: "empty", text: "The facilitator has handed your delegation back to the model: it no longer acts from this seat." })
    : null);
  draw(parts.chat, view.chat, chatForm);
  draw(parts.messages, view.messages, (items) => items.length
    ? el("ul", { class: "messages" }, items.map((m) => el("li", {}, el("span", { class: "from", text: m.from }), ` ${m.text}`)))
    : null);
}

function decisionForm(request) {
  if (!request) return null;
  const statement = el("textarea", { id: "statement", name: "statement", rows: 3 });
  const form = el("form", { id: "decision-form" },
    el("fieldset", {},
      el("legend", { text: request.question }),
      request.knows.length ? el("div", { class: "knows" },
        el("h3", { text: "What your delegation knows now" }),
        el("ul", {}, request.knows.map((k) => el("li", { text: k })))) : null,
      el("label", { for: "statement", text: "Statement for the table (optional)" }), statement,
      el("div", { class: "positions" }, request.positions.map((p) =>
        el("button", { type: "submit", name: "position", value: p.value, text: p.label, "data-position": p.value })))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const position = event.submitter ? event.submitter.value : null;
    if (!position) return;
    const label = event.submitter.textContent;
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    const ok = await ctx.act("answer", { position, statement: statement.value }, `Your answer was recorded: ${label}.`);
    if (!ok) {
      for (const button of form.querySelectorAll("button")) button.disabled = false;
      // Disabling the pressed button took the keyboard's focus away: give it back there.
      if (form.isConnected) event.submitter.focus();
    }
  });
  return form;
}

function inbox(items) {
  if (!items.length) return el("p", { class: "empty", text: "Nothing has reached your delegation yet." });
  return el("ul", { class: "inbox" }, items.map((item) => {
    const ack = item.entry && !item.read
      ? el("button", { type: "button", text: "Acknowledge", "aria-label": `Acknowledge: ${item.text}`,
        onclick: () => ctx.act("acknowledge", { entry: item.entry }, "Acknowledged.") })
      : null;
    const kinds = { inject: "Inject", news: "News", request: "Request" };
    return el("li", { class: "item", "data-read": item.read ? "yes" : "no", "data-kind": item.kind },
      el("p", { class: "when" }, el("span", { class: "tag", text: kinds[item.kind] || item.kind }), ` ${item.when}`,
        item.read ? null : el("span", { class: "unread", text: " · unread" })),
      el("p", { text: item.text }),
      item.detail ? el("p", { class: "detail", text: item.detail }) : null,
      ack);
  }));
}

// Chat with another played delegation, while the facilitator allows it.
function chatForm(others) {
  if (!others || !others.length) return null;
  const to = el("select", { id: "chat-to", name: "to" }, others.map((o) => el("option", { value: o.code, text: o.name })));
  return textForm(ctx.act, {
    id: "chat-form", label: "Chat message", action: "chat", done: "Chat message sent.",
    submit: "Send chat message", fields: (text) => ({ to: to.value, text }),
    before: [el("label", { for: "chat-to", text: "Chat with the delegation of" }), to] });
}

// The expectations delivered so far, on the facilitator's and the evaluator's pages (both may
// mark them): the host's fold, as the console's E screen shows it. Per delegation played,
// whether it acknowledged the inject, and the mark as it stands (met or not, why, when, by whom).
// A mark can be given again (the latest stands, as in the console); there is no unmarking.

import { el, keyed } from "./dom.js";

// {node, render(cards)}: the section's content, redrawn when the cards change. A redraw replaces
// the buttons: one that held the keyboard's focus (the button just pressed, or one tabbed to)
// gives it to its successor, without scrolling; focus anywhere else is left where it is (a
// page that pulled it back at every view could not be scrolled while the clock runs).
export function expectations(ctx) {
  const draw = keyed();
  const node = el("div");
  const press = (entry, code, met) => {
    ctx.act("mark", { msel: entry, state: code, met, text: "" }, `${entry}: ${code} ${met ? "met it" : "did not"}.`);
  };
  const render = (cards) => {
    const active = document.activeElement;
    const held = active && active !== document.body && node.contains(active) ? active.getAttribute("aria-label") : null;
    draw(node, cards, (items) => list(items, press));
    if (held && !node.contains(document.activeElement)) {
      const again = [...node.querySelectorAll("button")].find((b) => b.getAttribute("aria-label") === held);
      if (again) again.focus({ preventScroll: true });
    }
  };
  return { node, render };
}

function label(entry, code, met) {
  return `${entry}: ${code} ${met ? "met" : "did not meet"} the expectation`;
}

function list(cards, press) {
  if (!cards.length) return el("p", { class: "empty", text: "No expectation is due yet." });
  return el("ul", { class: "expectations" }, cards.map((c) => el("li", { class: "card", "data-entry": c.entry },
    el("p", {}, el("strong", { text: c.entry }), c.expected ? ` ${c.expected}` : null),
    el("p", { class: "when", text: `Delivered ${c.when}` }),
    el("ul", { class: "marks" }, c.states.map((s) => delegation(c, s, press))))));
}

function delegation(card, s, press) {
  const given = s.mark ? (s.mark.met ? "met" : "not met") : "none";
  const said = s.mark
    ? `${s.mark.met ? "Met" : "Not met"}${s.mark.text ? `: ${s.mark.text}` : ""} (marked ${s.mark.when} by ${s.mark.by})`
    : "Not marked yet";
  const button = (met) => el("button", { type: "button", text: `${s.code}: ${met ? "met" : "not met"}`,
    "aria-pressed": String(given === (met ? "met" : "not met")), "aria-label": label(card.entry, s.code, met),
    onclick: () => press(card.entry, s.code, met) });
  return el("li", { "data-mark": given },
    el("p", {}, el("strong", { text: s.name }), card.expected ? null : ` ${s.expected}`),
    el("p", { class: "when", text: s.acknowledged ? `Acknowledged ${s.acknowledged}` : "Not acknowledged yet" }),
    el("p", { class: "mark", text: said }),
    el("div", { class: "controls" }, button(true), button(false)));
}

// Small DOM helpers: every text goes in through textContent, never as markup.

// el("p", {class: "x"}, "text", child...): an element; attributes by name, children appended.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export function setText(node, text) {
  const value = text ?? "";
  if (node.textContent !== value) node.textContent = value;
}

// A form of one text field (and any controls given `before` it): on submit it sends `action`
// with `fields(text)` (default: the text as `text`) through `act`, and empties the field once the
// host has accepted it (refused, the text stays to be corrected). Every page's text forms: notes,
// hot wash, injects, messages, chat.
export function textForm(act, { id, label, action, done, submit, fields = (text) => ({ text }), before = [], rows = 2 }) {
  const text = el("textarea", { id: `${id}-text`, name: "text", rows, required: true });
  const form = el("form", { id }, before, el("label", { for: `${id}-text`, text: label }), text,
    el("button", { type: "submit", text: submit }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await act(action, fields(text.value), done)) text.value = "";
  });
  return form;
}

// A section whose content is redrawn only when its data changed, so that a control being used
// (a focused button, a half-typed field) is not replaced by every view.
export function keyed() {
  const last = new Map();
  return (node, data, draw) => {
    const key = JSON.stringify(data);
    if (last.get(node) === key) return;
    last.set(node, key);
    node.replaceChildren(...[draw(data)].flat().filter(Boolean));
  };
}

// A titled section of the page: <section aria-labelledby><h2>…</h2>…</section>.
export function section(id, title, ...children) {
  return el("section", { id, "aria-labelledby": `${id}-title` },
    el("h2", { id: `${id}-title`, text: title }), ...children);
}

// Cards of {when, text} items (statements, adopted measures).
export function cards(items, empty, text = (item) => item.text) {
  if (!items || !items.length) return el("p", { class: "empty", text: empty });
  return el("ul", { class: "cards" }, items.map((item) =>
    el("li", { class: "card" }, el("p", { class: "when", text: item.when }), el("p", { text: text(item) }))));
}

// A table whose rows stack on a narrow screen (seat.css): each cell is given its column's name
// (data-label), which the stylesheet shows before it there. Its roles are said outright: a
// table laid out as blocks may otherwise lose them in a screen reader. Returns the table.
export function stacking(table) {
  const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent);
  if (!names.length) return table; // a table of labels and values: it fits as it is
  table.classList.add("stack");
  table.setAttribute("role", "table");
  for (const group of [table.tHead, ...table.tBodies]) group?.setAttribute("role", "rowgroup");
  for (const row of table.rows) {
    row.setAttribute("role", "row");
    [...row.cells].forEach((cell, i) => {
      const header = cell.tagName === "TH";
      cell.setAttribute("role", header ? (cell.scope === "row" ? "rowheader" : "columnheader") : "cell");
      if (!header && names[i]) cell.dataset.label = names[i];
    });
  }
  return table;
}

export function procedure(rows) {
  if (!rows.length) return el("p", { class: "empty", text: "Nothing has been tabled yet." });
  return stacking(el("table", {},
    el("thead", {}, el("tr", {}, ["Measure", "Body", "Where it stands", "Tabled by"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows.map((r) => el("tr", {}, el("td", { text: r.measure }), el("td", { text: r.body }),
      el("td", { text: r.status }), el("td", { text: r.by }))))));
}

// The crisis track's levels beside the procedure (a large-scale incident; empty otherwise).
export function levels(rows) {
  if (!rows || !rows.length) return el("p", { class: "empty", text: "No large-scale incident: the crisis track is not running." });
  return stacking(el("table", {},
    el("thead", {}, el("tr", {}, ["Level", "Who", "Where it stands", "Since"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows.map((r) => el("tr", { "data-status": r.status }, el("th", { scope: "row", text: r.level }),
      el("td", { text: r.body }), el("td", { text: r.detail }), el("td", { text: r.when }))))));
}

export function assessment(a) {
  if (!a) return el("p", { class: "empty", text: "No EU assessment has been shared yet." });
  return el("p", { class: "assessment" },
    el("strong", { text: `${a.confidence}` }), ` confidence that ${a.actor} is behind the activity`,
    el("span", { class: "when", text: ` (as of ${a.when})` }));
}

// A <dialog> with a title, the content and a Close button.
export function dialog(title, content) {
  const box = el("dialog", { "aria-labelledby": "dialog-title" });
  const close = el("button", { type: "button", text: "Close", onclick: () => box.close() });
  // Close first: showModal focuses it, and a long brief then opens at its top.
  box.append(el("div", { class: "dialog-head" }, el("h2", { id: "dialog-title", text: title }), close),
    ...[content].flat());
  box.addEventListener("close", () => box.remove());
  document.body.append(box);
  box.showModal();
  return box;
}

// The wall (observer seat, the projector): large type, what the table is deciding now, the
// procedure (and the crisis track's levels in a large-scale incident), the EU assessment as it stands, adopted measures and public statements as cards.

import { assessment, cards, el, keyed, levels, procedure, section } from "./dom.js";

const draw = keyed();
const parts = {};

export function setup(main) {
  for (const name of ["deciding", "assessment", "procedure", "levels", "adopted", "statements"]) parts[name] = el("div");
  main.append(
    section("deciding", "What the table is deciding now", parts.deciding),
    section("assessment", "EU assessment", parts.assessment),
    section("procedure", "Procedure", parts.procedure),
    section("levels", "Crisis track (Cyber Blueprint)", parts.levels),
    section("adopted", "Adopted measures", parts.adopted),
    section("statements", "Public statements", parts.statements),
  );
}

export function render(view) {
  const run = view.run;
  const open = view.procedure.filter((p) => !["adopted", "dropped", "withdrawn", "no agreement"].includes(p.status));
  const deciding = run.state === "waiting" ? run.waiting
    : open.length ? open.map((p) => `${p.measure}: ${p.status}${p.body ? ` (${p.body})` : ""}`).join("; ")
      : "Nothing is before the table.";
  draw(parts.deciding, deciding, (text) => el("p", { class: "deciding", text }));
  draw(parts.assessment, view.assessment, assessment);
  draw(parts.procedure, view.procedure, procedure);
  // The crisis track's levels beside the procedure, only when a large-scale incident runs.
  document.getElementById("levels").hidden = !(view.levels && view.levels.length);
  draw(parts.levels, view.levels, levels);
  draw(parts.adopted, view.adopted, (items) => cards(items, "No measure adopted yet.",
    (a) => `${a.measure}: adopted (${a.body}, ${a.how})`));
  draw(parts.statements, view.statements.slice(0, 8), (items) => cards(items, "No public statement yet."));
}

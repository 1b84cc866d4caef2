// The evaluator's page: the timeline, the objectives, an observation form and the expectations
// to mark.

import { el, keyed, section } from "./dom.js";
import { expectations } from "./expectations.js";

const draw = keyed();
const parts = {};
let ctx;
let marks;
// HSEEP's ratings, as the report gives them.
const RATINGS = [["P", "P: performed without challenges"], ["S", "S: performed with some challenges"],
  ["M", "M: performed with major challenges"], ["U", "U: unable to be performed"]];

export function setup(main, context) {
  ctx = context;
  const objectives = context.welcome.scenario.objectives;
  const objective = el("select", { id: "obs-objective", name: "objective", required: true },
    objectives.map((o) => el("option", { value: o, text: o })));
  const rating = el("select", { id: "obs-rating", name: "rating" }, RATINGS.map(([v, t]) => el("option", { value: v, text: t })));
  const text = el("textarea", { id: "obs-text", name: "text", rows: 3 });
  const form = el("form", { id: "observation-form" },
    el("fieldset", {}, el("legend", { text: "Record an observation" }),
      el("label", { for: "obs-objective", text: "Objective" }), objective,
      el("label", { for: "obs-rating", text: "Rating" }), rating,
      el("label", { for: "obs-text", text: "What you observed" }), text,
      el("button", { type: "submit", text: "Record observation" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await ctx.act("observation", { objective: objective.value, rating: rating.value, text: text.value }, "Observation recorded.")) text.value = "";
  });
  for (const name of ["objectives", "observations", "timeline"]) parts[name] = el("div");
  marks = expectations(ctx);
  main.append(
    section("objectives", "Objectives", parts.objectives),
    section("observe", "Observation", form, parts.observations),
    section("expectations", "Expectations", marks.node),
    section("timeline", "Timeline", parts.timeline),
  );
}

export function render(view) {
  draw(parts.objectives, view.objectives, (items) => el("dl", {}, items.map((o) => [el("dt", { text: o.id }), el("dd", { text: o.text })])));
  draw(parts.observations, view.observations, (items) => items.length
    ? el("ul", { class: "messages" }, items.map((o) => el("li", { text: `${o.objective} ${o.rating}: ${o.text}` }))) : null);
  marks.render(view.expectations || []);
  draw(parts.timeline, view.timeline, timeline);
}

export function timeline(items) {
  if (!items.length) return el("p", { class: "empty", text: "Nothing has happened yet." });
  return el("ol", { class: "timeline", reversed: true }, items.map((i) => el("li", {}, el("span", { class: "when", text: i.when }), ` ${i.text}`)));
}

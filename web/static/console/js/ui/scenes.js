// @ts-check
// Scenes and named positions of a room: a button each, and the steps of the current (or
// last) run with their results as they come in.

import { el, replace } from "../../../../static/shared/dom.js";
import { formatClock, has, t } from "../../../../static/shared/i18n.js";

/** @typedef {import("../../../../static/shared/rooms_api.js").RoomView} RoomView */
/** @typedef {import("../../../../static/shared/rooms_api.js").SceneRunView} SceneRunView */
/** @typedef {import("../../../../static/shared/rooms_api.js").StepView} StepView */

/**
 * @param {RoomView} room
 * @param {{runScene: (scene: string) => void, position: (name: string) => void,
 *   mayRun: (lecturer: boolean) => boolean, mayMove: boolean}} actions
 */
export function scenePanel(room, actions) {
  const run = el("div", { className: "run", attrs: { "aria-live": "polite" } });
  const buttons = room.scenes
    .filter((scene) => actions.mayRun(scene.lecturer))
    .map((scene) =>
      el(
        "button",
        { attrs: { type: "button", "data-scene": scene.name, title: scene.steps.join("\n") }, on: { click: () => actions.runScene(scene.name) } },
        scene.title,
        scene.lecturer ? el("span", { className: "tag" }, t("scene.lecturer")) : null,
      ),
    );
  const positions = actions.mayMove
    ? room.positions.map((p) =>
        el("button", { attrs: { type: "button", "data-position": p.name, title: p.camera }, on: { click: () => actions.position(p.name) } }, p.title),
      )
    : [];
  const panel = el(
    "section",
    { className: "scenes" },
    el("h2", {}, t("scene.title")),
    el("div", { className: "buttons" }, ...buttons),
    positions.length ? el("h2", {}, t("position.title")) : null,
    positions.length ? el("div", { className: "buttons" }, ...positions) : null,
    run,
  );
  const update = (/** @type {?SceneRunView} */ view) => showRun(run, view);
  update(room.run);
  return { element: panel, update };
}

/** @param {HTMLElement} box @param {?SceneRunView} view */
function showRun(box, view) {
  if (!view) {
    replace(box);
    return;
  }
  box.setAttribute("data-run", view.id);
  box.setAttribute("data-state", view.state);
  replace(
    box,
    el(
      "h3",
      {},
      el("span", { text: view.title }),
      el("span", { className: `badge run-${view.state}`, attrs: { "data-field": "run-state" } }, t(`run.${view.state}`)),
    ),
    el("p", { className: "who" }, t("run.by", { who: `${t(`actor.${view.actor.kind}`)} ${view.actor.name}`.trim(), at: formatClock(view.started_at) })),
    el(
      "ol",
      { className: "steps" },
      ...view.steps.map((step) =>
        el(
          "li",
          { attrs: { "data-step": String(step.index), "data-state": step.state } },
          el("span", { className: "label" }, stepLabel(step)),
          el("span", { className: `badge step-${step.state}` }, t(`step.${step.state}`)),
          step.detail ? el("span", { className: "detail", text: step.detail }) : null,
        ),
      ),
    ),
  );
}

/** The step in the page's language, from its kind and fields; the server's English label
 * when there is no wording for it. @param {StepView} step */
export function stepLabel(step) {
  const args = step.args || {};
  let key = `do.${step.do}`;
  if (step.do === "power") key += args.power ? ".on" : ".off";
  if (step.do === "mute") {
    if (args.channel) return step.label;
    key += args.muted ? ".on" : ".off";
  }
  if (!has(key)) return step.label;
  /** @type {import("../../../../static/shared/i18n.js").Params} */
  const params = {};
  for (const [name, value] of Object.entries(args)) params[name] = typeof value === "number" ? value : String(value);
  return t(key, params);
}

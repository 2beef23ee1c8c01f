// Scenes and named positions of a room: a button each, and the steps of the current (or
// last) run with their results as they come in.

import { t, tOr } from "../i18n.js";
import { clock, el, replace } from "./dom.js";

/** @typedef {import("../api.js").RoomView} RoomView */
/** @typedef {import("../api.js").SceneRunView} SceneRunView */

/**
 * @param {RoomView} room
 * @param {{runScene: (scene: string) => void, position: (name: string) => void,
 *   mayRun: (lecturer: boolean) => boolean, mayMove: boolean}} actions
 */
export function scenePanel(room, actions) {
  const run = el("div", { class: "run", "aria-live": "polite" });
  const buttons = room.scenes
    .filter((scene) => actions.mayRun(scene.lecturer))
    .map((scene) =>
      el(
        "button",
        { type: "button", "data-scene": scene.name, title: scene.steps.join("\n"), onclick: () => actions.runScene(scene.name) },
        scene.title,
        scene.lecturer ? el("span", { class: "tag", text: t("scene.lecturer") }) : null,
      ),
    );
  const positions = actions.mayMove
    ? room.positions.map((p) =>
        el("button", { type: "button", "data-position": p.name, title: p.camera, onclick: () => actions.position(p.name) }, p.title),
      )
    : [];
  const panel = el(
    "section",
    { class: "scenes" },
    el("h2", { text: t("scene.title") }),
    el("div", { class: "buttons" }, ...buttons),
    positions.length ? el("h2", { text: t("position.title") }) : null,
    positions.length ? el("div", { class: "buttons" }, ...positions) : null,
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
      el("span", { class: `badge run-${view.state}`, "data-field": "run-state", text: t(`run.${view.state}`) }),
    ),
    el("p", { class: "who", text: t("run.by", { who: `${t(`actor.${view.actor.kind}`)} ${view.actor.name}`.trim(), at: clock(view.started_at) }) }),
    el(
      "ol",
      { class: "steps" },
      ...view.steps.map((step) =>
        el(
          "li",
          { "data-step": String(step.index), "data-state": step.state },
          el("span", { class: "label", text: stepLabel(step) }),
          el("span", { class: `badge step-${step.state}`, text: t(`step.${step.state}`) }),
          step.detail ? el("span", { class: "detail", text: step.detail }) : null,
        ),
      ),
    ),
  );
}

/** The step in the page's language, from its kind and fields; the server's English label
 * when there is no wording for it. @param {import("../api.js").StepView} step */
export function stepLabel(step) {
  const args = step.args || {};
  let key = `do.${step.do}`;
  if (step.do === "power") key += args.power ? ".on" : ".off";
  if (step.do === "mute") {
    if (args.channel) return step.label;
    key += args.muted ? ".on" : ".off";
  }
  return tOr(key, "") ? t(key, args) : step.label;
}

// @ts-check
// Scenes and named positions of a room: a button each, and the steps of the current (or
// last) run with their results as they come in.

import { el, replace } from "../../../../static/shared/dom.js";
import { formatClock, t } from "../../../../static/shared/i18n.js";
import { actorText, errorText, stepLabel } from "../../../../static/shared/room_words.js";

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
        { attrs: { type: "button", "data-scene": scene.name }, on: { click: () => actions.runScene(scene.name) } },
        el("span", { text: scene.title }),
        scene.lecturer ? el("span", { className: "tag" }, t("scene.lecturer")) : null,
      ),
    );
  const positions = actions.mayMove
    ? room.positions.map((p) =>
        el("button", { attrs: { type: "button", "data-position": p.name }, on: { click: () => actions.position(p.name) } }, el("span", { text: p.title })),
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
  const update = (/** @type {?SceneRunView} */ view) => showRun(run, view, room);
  update(room.run);
  return { element: panel, update };
}

/** @param {HTMLElement} box @param {?SceneRunView} view @param {RoomView} room */
function showRun(box, view, room) {
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
      el("span", { className: `badge run-${view.state}`, attrs: { "data-field": "run-state" } }, t(`room.run.${view.state}`)),
    ),
    el("p", { className: "who" }, t("run.by", { who: actorText(view.actor), at: formatClock(view.started_at) })),
    el(
      "ol",
      { className: "steps" },
      ...view.steps.map((step) =>
        el(
          "li",
          { attrs: { "data-step": String(step.index), "data-state": step.state } },
          el("span", { className: "label" }, stepLabel(step, room)),
          el("span", { className: `badge step-${step.state}` }, t(`room.step.${step.state}`)),
          // Why it failed in words; the device's own (English) words in the tooltip.
          step.state === "failed"
            ? el("span", { className: "detail", attrs: { "data-error": step.error || "", title: step.detail || undefined } }, errorText(step.error || "device_error"))
            : null,
        ),
      ),
    ),
  );
}

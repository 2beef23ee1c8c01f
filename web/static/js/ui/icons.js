// @ts-check
/** Line icons drawn for classbridge (24×24, stroke = currentColor). */

const PATHS = {
  mic: "M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z M5 11a7 7 0 0 0 14 0 M12 18v3",
  micOff: "M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z M5 11a7 7 0 0 0 14 0 M12 18v3 M4 4l16 16",
  camera: "M3 7h12v10H3z M15 10l6-3v10l-6-3",
  cameraOff: "M3 7h12v10H3z M15 10l6-3v10l-6-3 M3 3l18 18",
  screen: "M3 4h18v12H3z M8 20h8 M12 16v4",
  stopScreen: "M3 4h18v12H3z M8 20h8 M12 16v4 M9 7l6 6 M15 7l-6 6",
  headphones: "M4 15v-3a8 8 0 0 1 16 0v3 M4 15h3v5H4z M17 15h3v5h-3z",
  video: "M3 7h12v10H3z M15 10l6-3v10l-6-3",
  saveData: "M12 4v10 M7.5 10l4.5 4.5 4.5-4.5 M5 19h14",
  leave: "M10 4H5v16h5 M14 8l4 4-4 4 M18 12H9",
  end: "M6 6l12 12 M18 6L6 18",
  hand: "M8 13V5.5a1.5 1.5 0 0 1 3 0V12 M11 11V4.5a1.5 1.5 0 0 1 3 0V12 M14 11.5V6a1.5 1.5 0 0 1 3 0v8a7 7 0 0 1-7 7h-.5a6 6 0 0 1-5-2.7L3 15.5a1.5 1.5 0 0 1 2.5-1.7L8 16",
  smile: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M8 14a5 5 0 0 0 8 0 M9 9.5h.01 M15 9.5h.01",
  chat: "M4 5h16v11H9l-5 4z",
  record: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M12 8a4 4 0 1 0 0 8a4 4 0 1 0 0-8z",
  stopRecord: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M9 9h6v6H9z",
  people: "M9 11a3.5 3.5 0 1 0 0-7a3.5 3.5 0 1 0 0 7z M2.5 20a6.5 6.5 0 0 1 13 0 M16 4.5a3.5 3.5 0 0 1 0 6.5 M18 14a6 6 0 0 1 3.5 6",
};

/** @typedef {keyof typeof PATHS} IconName */

/** @param {IconName} name @returns {SVGSVGElement} */
export function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", PATHS[name]);
  svg.append(path);
  return svg;
}

/** Swap the icon inside a button. @param {HTMLElement} b @param {IconName} name */
export function setIcon(b, name) {
  b.querySelector("svg.icon")?.replaceWith(icon(name));
}

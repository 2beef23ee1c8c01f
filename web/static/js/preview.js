// @ts-check
/**
 * What the pre-join page shows of the class before joining: `GET /api/join-preview` with the
 * join link's token as bearer (the class's title and schedule, the room's name for the room's
 * link, whether trainees start muted). The page works without it: null on any failure.
 */

/**
 * @typedef {object} JoinPreview
 * @property {{id: string, title: string, room: string | null, starts_at: string | null, ends_at: string | null}} class
 * @property {string} role
 * @property {string | null} name
 * @property {string | null} room_title
 * @property {boolean} join_muted
 * @property {boolean} recorded the class is being recorded right now
 * @property {boolean} recorded_by_schedule its course records every class from its start
 */

/** @param {string} token @returns {Promise<JoinPreview | null>} */
export async function fetchPreview(token) {
  try {
    const response = await fetch("/api/join-preview", { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
    if (!response.ok) return null;
    const body = await response.json();
    if (typeof body !== "object" || body === null || typeof body.class?.title !== "string") return null;
    return {
      class: {
        id: String(body.class.id ?? ""),
        title: body.class.title,
        room: typeof body.class.room === "string" ? body.class.room : null,
        starts_at: typeof body.class.starts_at === "string" ? body.class.starts_at : null,
        ends_at: typeof body.class.ends_at === "string" ? body.class.ends_at : null,
      },
      role: String(body.role ?? ""),
      name: typeof body.name === "string" ? body.name : null,
      room_title: typeof body.room_title === "string" ? body.room_title : null,
      join_muted: body.join_muted === true,
      recorded: body.recorded === true,
      recorded_by_schedule: body.recorded_by_schedule === true,
    };
  } catch {
    return null;
  }
}

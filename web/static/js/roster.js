// @ts-check
/**
 * Who else is in the class and what each one publishes, kept up to date from the server's
 * roster messages (participant_joined/left, track_published/unpublished/muted).
 */

/** @typedef {import("./protocol.js").ParticipantInfo} ParticipantInfo */
/** @typedef {import("./protocol.js").TrackInfo} TrackInfo */

export const ROSTER_MESSAGES = new Set([
  "participant_joined",
  "participant_left",
  "track_published",
  "track_unpublished",
  "track_muted",
]);

export class Roster {
  constructor() {
    /** @type {Map<string, ParticipantInfo>} */
    this.byId = new Map();
  }

  /** Start over from a `joined` message's participants. @param {ParticipantInfo[]} participants */
  reset(participants) {
    this.byId = new Map(participants.map((p) => [p.id, structuredClone(p)]));
  }

  /** @returns {ParticipantInfo[]} */
  list() {
    return [...this.byId.values()];
  }

  /**
   * Apply one roster message; false when it changed nothing (an unknown participant).
   * @param {any} message
   */
  apply(message) {
    switch (message.type) {
      case "participant_joined":
        this.byId.set(message.participant.id, structuredClone(message.participant));
        return true;
      case "participant_left":
        return this.byId.delete(message.participant_id);
      case "track_published":
        return this.change(message.participant_id, (tracks) => [
          ...tracks.filter((t) => t.track_id !== message.track.track_id),
          message.track,
        ]);
      case "track_unpublished":
        return this.change(message.participant_id, (tracks) => tracks.filter((t) => t.track_id !== message.track_id));
      case "track_muted":
        return this.change(message.participant_id, (tracks) =>
          tracks.map((t) => (t.track_id === message.track_id ? { ...t, muted: message.muted } : t)),
        );
      default:
        return false;
    }
  }

  /** @param {string} participantId @param {(tracks: TrackInfo[]) => TrackInfo[]} update */
  change(participantId, update) {
    const participant = this.byId.get(participantId);
    if (!participant) return false;
    participant.tracks = update(participant.tracks);
    return true;
  }
}

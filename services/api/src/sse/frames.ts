/**
 * Server-Sent Events frames. JSON never holds a raw newline, so one `data:` line is
 * always enough.
 */

/** A game; `seq` 0 (known only from Postgres) has no stream position and so no id. */
export const gameFrame = (seq: number, json: string): string =>
  seq > 0 ? `event: game\nid: ${seq}\ndata: ${json}\n\n` : `event: game\ndata: ${json}\n\n`;

/** Live state, breaker and last poll; no id, so it never moves the client's resume point. */
export const metaFrame = (json: string): string => `event: meta\ndata: ${json}\n\n`;

/**
 * An id with no data: EventSource records it as the last event id without dispatching
 * anything. Sent after the snapshot, so a reconnection resumes from the snapshot's
 * position even when the last game sent came from earlier in the stream.
 */
export const idFrame = (seq: number): string => `id: ${seq}\n\n`;

export const heartbeatFrame = ': heartbeat\n\n';

/** How long a browser waits before reconnecting after the stream drops. */
export const retryFrame = (ms: number): string => `retry: ${ms}\n\n`;

/** One parsed Server-Sent Events frame. */
export interface SseFrame {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
  retry?: number;
}

/** Parses complete frames out of a buffer; returns them and what is left over. */
export function parseFrames(buffer: string): { frames: SseFrame[]; rest: string } {
  const frames: SseFrame[] = [];
  let rest = buffer;
  for (let end = rest.indexOf('\n\n'); end >= 0; end = rest.indexOf('\n\n')) {
    const block = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const f: SseFrame = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) f.comment = line.slice(1).trim();
      else {
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'event') f.event = value;
        else if (field === 'id') f.id = value;
        else if (field === 'data') f.data = f.data === undefined ? value : `${f.data}\n${value}`;
        else if (field === 'retry') f.retry = Number(value);
      }
    }
    frames.push(f);
  }
  return { frames, rest };
}

/** Collects frames from a readable stream of SSE text. */
export class FrameReader {
  frames: SseFrame[] = [];
  private buffer = '';
  ended = false;

  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (chunk: Buffer | string) => {
      this.buffer += chunk.toString();
      const { frames, rest } = parseFrames(this.buffer);
      this.buffer = rest;
      this.frames.push(...frames);
    });
    stream.on('end', () => (this.ended = true));
    stream.on('close', () => (this.ended = true));
  }

  games(): { id: string | undefined; game: { id: string; revision: number } & Record<string, unknown> }[] {
    return this.frames.filter((f) => f.event === 'game').map((f) => ({ id: f.id, game: JSON.parse(f.data!) as { id: string; revision: number } }));
  }

  /** The id a browser would send back as Last-Event-ID. */
  lastEventId(): string | undefined {
    let id: string | undefined;
    for (const f of this.frames) if (f.id !== undefined) id = f.id;
    return id;
  }
}

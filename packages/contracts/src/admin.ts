import Type, { type Static } from 'typebox';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, a US Eastern date' });
const LeaguePath = Type.String({ pattern: '^[A-Za-z0-9_-]+/[A-Za-z0-9_-]+$', description: 'sport/league' });

export const PollNowRequest = Type.Object(
  { force: Type.Optional(Type.Boolean({ description: 'bypass last-poll protection (never the breaker)' })) },
  { $id: 'PollNowRequest' },
);
export type PollNowRequest = Static<typeof PollNowRequest>;

export const PollNowReply = Type.Object(
  {
    ok: Type.Boolean(),
    polled: Type.Boolean(),
    skipped: Type.Optional(Type.String({ description: 'why no poll ran: recent-poll, breaker-open, busy' })),
    gamesSeen: Type.Optional(Type.Integer({ minimum: 0 })),
    changed: Type.Optional(Type.Integer({ minimum: 0 })),
    durationMs: Type.Optional(Type.Number({ minimum: 0 })),
    error: Type.Optional(Type.String()),
  },
  { $id: 'PollNowReply' },
);
export type PollNowReply = Static<typeof PollNowReply>;

export const SyncRequest = Type.Object(
  {
    from: Day,
    to: Day,
    leagues: Type.Optional(Type.Array(LeaguePath, { minItems: 1 })),
    progressSubject: Type.Optional(Type.String({ description: 'core subject to publish SyncProgress on' })),
  },
  { $id: 'SyncRequest' },
);
export type SyncRequest = Static<typeof SyncRequest>;

export const SyncProgress = Type.Object(
  {
    done: Type.Integer({ minimum: 0 }),
    total: Type.Integer({ minimum: 0 }),
    league: Type.String(),
    day: Day,
    gamesSeen: Type.Integer({ minimum: 0 }),
    published: Type.Integer({ minimum: 0 }),
    error: Type.Optional(Type.String()),
  },
  { $id: 'SyncProgress' },
);
export type SyncProgress = Static<typeof SyncProgress>;

export const SyncReply = Type.Object(
  {
    ok: Type.Boolean(),
    days: Type.Integer({ minimum: 0 }),
    requests: Type.Integer({ minimum: 0 }),
    gamesSeen: Type.Integer({ minimum: 0 }),
    published: Type.Integer({ minimum: 0, description: 'game.changed events published (new or changed games)' }),
    failed: Type.Array(Type.Object({ league: Type.String(), day: Day, error: Type.String() })),
    durationMs: Type.Number({ minimum: 0 }),
    error: Type.Optional(Type.String()),
  },
  { $id: 'SyncReply' },
);
export type SyncReply = Static<typeof SyncReply>;

/** Every admin reply that failed before doing anything. */
export const AdminError = Type.Object(
  { ok: Type.Literal(false), error: Type.String(), code: Type.String() },
  { $id: 'AdminError' },
);
export type AdminError = Static<typeof AdminError>;

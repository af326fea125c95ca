import { describe, expect, it } from 'vitest';
import { EspnEventError } from '../src/espn/errors.js';
import { normaliseStatus, type StatusKind } from '../src/espn/status.js';

// Status objects in ESPN's shape (competitions[0].status). The ids and texts are the ones the
// recorded fixtures and SOURCES.md show for each name.
function espn(
  name: string | undefined,
  state: string | undefined,
  completed: boolean | undefined,
  extra: { period?: unknown; displayClock?: string; detail?: string; shortDetail?: string } = {},
): Record<string, unknown> {
  const type: Record<string, unknown> = { id: '0', description: extra.detail ?? 'Description' };
  if (name !== undefined) type.name = name;
  if (state !== undefined) type.state = state;
  if (completed !== undefined) type.completed = completed;
  if (extra.detail !== undefined) type.detail = extra.detail;
  if (extra.shortDetail !== undefined) type.shortDetail = extra.shortDetail;
  return { clock: 0, displayClock: extra.displayClock ?? '0:00', period: extra.period ?? 0, type };
}

const both = { home: 21, away: 17 };
const none = { home: null, away: null };

describe('normaliseStatus', () => {
  const table: {
    what: string;
    status: Record<string, unknown>;
    scores?: { home: number | null; away: number | null };
    kind: StatusKind;
    state: 'pre' | 'in' | 'post';
    completed: boolean;
    clock: string | null;
    period: number;
  }[] = [
    {
      what: 'scheduled',
      status: espn('STATUS_SCHEDULED', 'pre', false, { period: 1, displayClock: '15:00' }),
      scores: none,
      kind: 'scheduled',
      state: 'pre',
      completed: false,
      clock: null,
      period: 0,
    },
    {
      what: 'in progress',
      status: espn('STATUS_IN_PROGRESS', 'in', false, { period: 3, displayClock: '4:12' }),
      kind: 'live',
      state: 'in',
      completed: false,
      clock: '4:12',
      period: 3,
    },
    {
      what: 'halftime (clock null, not ESPN\'s "0:00")',
      status: espn('STATUS_HALFTIME', 'in', false, { period: 2, displayClock: '0:00' }),
      kind: 'halftime',
      state: 'in',
      completed: false,
      clock: null,
      period: 2,
    },
    {
      what: 'end of period',
      status: espn('STATUS_END_PERIOD', 'in', false, { period: 3, displayClock: '0:00' }),
      kind: 'end-of-period',
      state: 'in',
      completed: false,
      clock: '0:00',
      period: 3,
    },
    {
      what: 'final',
      status: espn('STATUS_FINAL', 'post', true, { period: 4 }),
      kind: 'final',
      state: 'post',
      completed: true,
      clock: null,
      period: 4,
    },
    {
      what: 'final in overtime, football style (name STATUS_FINAL, detail Final/OT)',
      status: espn('STATUS_FINAL', 'post', true, { period: 5, detail: 'Final/OT' }),
      kind: 'final',
      state: 'post',
      completed: true,
      clock: null,
      period: 5,
    },
    {
      what: 'final named STATUS_FINAL_OT',
      status: espn('STATUS_FINAL_OT', 'post', true, { period: 5 }),
      kind: 'final',
      state: 'post',
      completed: true,
      clock: null,
      period: 5,
    },
    {
      what: 'final named STATUS_FINAL_PEN even with a stale state',
      status: espn('STATUS_FINAL_PEN', 'in', false, { period: 5 }),
      kind: 'final',
      state: 'post',
      completed: true,
      clock: null,
      period: 5,
    },
    {
      what: 'postponed (ESPN: post, not completed) is never completed',
      status: espn('STATUS_POSTPONED', 'post', false, { period: 1 }),
      kind: 'postponed',
      state: 'post',
      completed: false,
      clock: null,
      period: 1,
    },
    {
      what: 'postponed even if ESPN flagged it completed',
      status: espn('STATUS_POSTPONED', 'post', true),
      kind: 'postponed',
      state: 'post',
      completed: false,
      clock: null,
      period: 0,
    },
    {
      what: 'canceled',
      status: espn('STATUS_CANCELED', 'post', false),
      kind: 'canceled',
      state: 'post',
      completed: false,
      clock: null,
      period: 0,
    },
    {
      what: 'cancelled (British spelling)',
      status: espn('STATUS_CANCELLED', 'post', false),
      kind: 'canceled',
      state: 'post',
      completed: false,
      clock: null,
      period: 0,
    },
    {
      what: 'suspended keeps ESPN\'s post state, not completed',
      status: espn('STATUS_SUSPENDED', 'post', false, { period: 7 }),
      scores: { home: 3, away: 3 },
      kind: 'suspended',
      state: 'post',
      completed: false,
      clock: null,
      period: 7,
    },
    {
      what: 'suspended mid-game with state in keeps in',
      status: espn('STATUS_SUSPENDED', 'in', false, { period: 3, displayClock: '8:00' }),
      kind: 'suspended',
      state: 'in',
      completed: false,
      clock: '8:00',
      period: 3,
    },
    {
      what: 'delayed start keeps pre',
      status: espn('STATUS_DELAYED', 'pre', false),
      scores: none,
      kind: 'delayed',
      state: 'pre',
      completed: false,
      clock: null,
      period: 0,
    },
    {
      what: 'delayed mid-game keeps in and its clock',
      status: espn('STATUS_DELAYED', 'in', false, { period: 4, displayClock: '4:25' }),
      kind: 'delayed',
      state: 'in',
      completed: false,
      clock: '4:25',
      period: 4,
    },
    {
      what: 'rain delay is a delay',
      status: espn('STATUS_RAIN_DELAY', 'in', false, { period: 5 }),
      kind: 'delayed',
      state: 'in',
      completed: false,
      clock: '0:00',
      period: 5,
    },
    {
      what: 'unknown name with state in falls back to live',
      status: espn('STATUS_SOMETHING_NEW', 'in', false, { period: 2, displayClock: '3:00' }),
      kind: 'live',
      state: 'in',
      completed: false,
      clock: '3:00',
      period: 2,
    },
    {
      what: 'unknown name with completed true falls back to final',
      status: espn('STATUS_NEW_FINAL_KIND', 'post', true, { period: 4 }),
      kind: 'final',
      state: 'post',
      completed: true,
      clock: null,
      period: 4,
    },
    {
      what: 'unknown name with state pre falls back to scheduled',
      status: espn('STATUS_TBD', 'pre', false),
      kind: 'scheduled',
      state: 'pre',
      completed: false,
      clock: null,
      period: 0,
    },
    {
      what: 'unknown name, post and not completed, is unknown and not completed',
      status: espn('STATUS_ABANDONED', 'post', false, { period: 4 }),
      kind: 'unknown',
      state: 'post',
      completed: false,
      clock: null,
      period: 4,
    },
    {
      what: 'no name at all falls back to state',
      status: espn(undefined, 'in', false, { period: 1, displayClock: '9:59' }),
      kind: 'live',
      state: 'in',
      completed: false,
      clock: '9:59',
      period: 1,
    },
    {
      what: 'final with a missing score is final but not completed',
      status: espn('STATUS_FINAL', 'post', true, { period: 4 }),
      scores: { home: 24, away: null },
      kind: 'final',
      state: 'post',
      completed: false,
      clock: null,
      period: 4,
    },
  ];

  it.each(table)('maps $what', (row) => {
    const { status, kind } = normaliseStatus(row.status, row.scores ?? both);
    expect(kind).toBe(row.kind);
    expect(status.state).toBe(row.state);
    expect(status.completed).toBe(row.completed);
    expect(status.clock).toBe(row.clock);
    expect(status.period).toBe(row.period);
    const type = row.status.type as Record<string, unknown>;
    expect(status.name).toBe(type.name ?? '');
  });

  it('takes detail and shortDetail from ESPN, falling back to the description', () => {
    const full = normaliseStatus(
      espn('STATUS_IN_PROGRESS', 'in', false, { period: 3, detail: '4:12 - 3rd Quarter', shortDetail: '4:12 - 3rd' }),
      both,
    );
    expect(full.status.detail).toBe('4:12 - 3rd Quarter');
    expect(full.status.shortDetail).toBe('4:12 - 3rd');

    const bare = normaliseStatus({ period: 0, type: { name: 'STATUS_SCHEDULED', state: 'pre', description: 'Scheduled' } }, none);
    expect(bare.status.detail).toBe('Scheduled');
    expect(bare.status.shortDetail).toBe('Scheduled');
  });

  it('reads a missing period as 0 and a numeric string as its number', () => {
    expect(normaliseStatus({ type: { name: 'STATUS_FINAL', state: 'post', completed: true } }, both).status.period).toBe(0);
    expect(normaliseStatus(espn('STATUS_IN_PROGRESS', 'in', false, { period: '3' }), both).status.period).toBe(3);
  });

  it.each([
    ['not an object', 'STATUS_FINAL'],
    ['no type', { period: 1 }],
    ['a type that tells nothing', { type: { name: 'STATUS_NEW', detail: 'x' } }],
    ['a state outside pre/in/post and an unknown name', { type: { name: 'STATUS_NEW', state: 'live' } }],
    ['a negative period', espn('STATUS_IN_PROGRESS', 'in', false, { period: -1 })],
    ['a fractional period', espn('STATUS_IN_PROGRESS', 'in', false, { period: 2.5 })],
    ['a period that is not a number', espn('STATUS_IN_PROGRESS', 'in', false, { period: 'second' })],
  ])('refuses a status with %s', (_what, status) => {
    expect(() => normaliseStatus(status, both)).toThrow(EspnEventError);
  });
});

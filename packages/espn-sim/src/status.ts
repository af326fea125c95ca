/**
 * ESPN `status` objects, shaped after the fixtures (ids, names, texts). Ids marked
 * "synthetic" below were not in any fixture we could copy; see fixtures/espn/SOURCES.md.
 */
import { ordinal, scheduledTexts } from './time.js';
import type { EspnState, EspnStatus } from './types.js';

function status(
  type: { id: string; name: string; state: EspnState; completed: boolean; description: string; detail: string; shortDetail: string; altDetail?: string },
  period: number,
  displayClock = '0:00',
): EspnStatus {
  return { clock: clockSeconds(displayClock), displayClock, period, type: { ...type } };
}

export function clockSeconds(displayClock: string): number {
  const m = /^(\d+):(\d{2})$/.exec(displayClock);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

export function displayClockOf(clock: string | number): string {
  if (typeof clock === 'string') return clock;
  const s = Math.max(0, Math.round(clock));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "1st", "2nd", … for quarters; "OT", "2OT", … after the 4th. */
export function periodLabel(period: number): string {
  if (period <= 4) return ordinal(Math.max(1, period));
  const ot = period - 4;
  return ot === 1 ? 'OT' : `${ot}OT`;
}

/** Without a date the texts say "Scheduled"; setStatus()/makeEvent() fill in the kickoff. */
function scheduled(date?: Date | string): EspnStatus {
  const texts = date === undefined ? { detail: 'Scheduled', shortDetail: 'Scheduled' } : scheduledTexts(new Date(date));
  return status({ id: '1', name: 'STATUS_SCHEDULED', state: 'pre', completed: false, description: 'Scheduled', ...texts }, 0);
}

function inProgress(period: number, clock: string | number): EspnStatus {
  const displayClock = displayClockOf(clock);
  const label = periodLabel(period);
  return status(
    {
      id: '2',
      name: 'STATUS_IN_PROGRESS',
      state: 'in',
      completed: false,
      description: 'In Progress',
      detail: period <= 4 ? `${displayClock} - ${label} Quarter` : `${displayClock} - ${label}`,
      shortDetail: `${displayClock} - ${label}`,
    },
    period,
    displayClock,
  );
}

function halftime(): EspnStatus {
  return status({ id: '23', name: 'STATUS_HALFTIME', state: 'in', completed: false, description: 'Halftime', detail: 'Halftime', shortDetail: 'Halftime' }, 2);
}

/** id 22 as ESPN sends for the WNBA ("End of 3rd Quarter"); football's is synthetic. */
function endOfPeriod(period: number): EspnStatus {
  const label = periodLabel(period);
  return status(
    {
      id: '22',
      name: 'STATUS_END_PERIOD',
      state: 'in',
      completed: false,
      description: 'End of Period',
      detail: period <= 4 ? `End of ${label} Quarter` : `End of ${label}`,
      shortDetail: `End of ${label}`,
    },
    period,
  );
}

function final(period = 4): EspnStatus {
  return status({ id: '3', name: 'STATUS_FINAL', state: 'post', completed: true, description: 'Final', detail: 'Final', shortDetail: 'Final' }, period);
}

/**
 * An overtime final: "Final/OT", "Final/2OT", … ESPN's football scoreboards name it
 * STATUS_FINAL with that detail (NFL, 2025-01-05); pass `name: 'STATUS_FINAL'` for that form.
 */
function finalOT(periods = 5, name: 'STATUS_FINAL_OT' | 'STATUS_FINAL' = 'STATUS_FINAL_OT'): EspnStatus {
  const ot = periodLabel(Math.max(5, periods));
  return status(
    { id: '3', name, state: 'post', completed: true, description: 'Final', detail: `Final/${ot}`, shortDetail: `Final/${ot}`, altDetail: ot },
    Math.max(5, periods),
  );
}

/** id 6, state post, not completed: never final (the MLB fixture's shape). */
function postponed(): EspnStatus {
  return status({ id: '6', name: 'STATUS_POSTPONED', state: 'post', completed: false, description: 'Postponed', detail: 'Postponed', shortDetail: 'Postponed' }, 0);
}

/** id 5 (synthetic for football), state post, not completed. */
function canceled(): EspnStatus {
  return status({ id: '5', name: 'STATUS_CANCELED', state: 'post', completed: false, description: 'Canceled', detail: 'Canceled', shortDetail: 'Canceled' }, 0);
}

/** id 8, state post, not completed; the partial scores stay (the MLB fixture's shape). */
function suspended(period: number): EspnStatus {
  return status({ id: '8', name: 'STATUS_SUSPENDED', state: 'post', completed: false, description: 'Suspended', detail: 'Suspended', shortDetail: 'Suspended' }, period);
}

/** id 7 (synthetic): a delayed start ('pre') or a stoppage during play ('in'). */
function delayed(state: 'pre' | 'in' = 'pre', period?: number, clock?: string | number): EspnStatus {
  const displayClock = clock === undefined ? '0:00' : displayClockOf(clock);
  return status(
    { id: '7', name: 'STATUS_DELAYED', state, completed: false, description: 'Delayed', detail: 'Delayed', shortDetail: 'Delayed' },
    period ?? (state === 'pre' ? 0 : 1),
    displayClock,
  );
}

export const statusPresets = {
  scheduled,
  inProgress,
  halftime,
  endOfPeriod,
  final,
  finalOT,
  postponed,
  canceled,
  suspended,
  delayed,
};

export type StatusPresetName = keyof typeof statusPresets;

export function isStatusPresetName(name: unknown): name is StatusPresetName {
  return typeof name === 'string' && Object.hasOwn(statusPresets, name);
}

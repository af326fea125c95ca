import { SimError } from './errors.js';

/**
 * Sim time. 'real' follows Date.now() (flowing at 1x) until set/advance/run is called.
 * set() and advance() move the clock without changing whether it flows; run() makes it
 * flow at speed× real time from now(); pause() stops it.
 */
export class SimClock {
  private base: number; // sim ms at realBase
  private realBase: number;
  private rate: number; // 0 when paused
  private real: boolean;

  constructor(start: 'real' | Date = 'real', private readonly realNow: () => number = Date.now) {
    this.realBase = realNow();
    if (start === 'real') {
      this.real = true;
      this.base = this.realBase;
      this.rate = 1;
    } else {
      const t = start.getTime();
      if (Number.isNaN(t)) throw new SimError('bad_clock', 'clock start is not a valid date');
      this.real = false;
      this.base = t;
      this.rate = 0;
    }
  }

  now(): Date {
    if (this.real) return new Date(this.realNow());
    return new Date(this.base + (this.realNow() - this.realBase) * this.rate);
  }

  /** Sim ms per real ms; 0 while paused. */
  get speed(): number {
    return this.rate;
  }

  get running(): boolean {
    return this.rate > 0;
  }

  /** 'real' until the clock is first moved, then 'sim'. */
  get mode(): 'real' | 'sim' {
    return this.real ? 'real' : 'sim';
  }

  private rebase(simMs: number): void {
    this.real = false;
    this.base = simMs;
    this.realBase = this.realNow();
  }

  set(d: Date | string): void {
    const t = new Date(d).getTime();
    if (Number.isNaN(t)) throw new SimError('bad_clock', `clock.set: not a date: ${String(d)}`);
    this.rebase(t);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new SimError('bad_clock', `clock.advance: not a finite number of ms: ${String(ms)}`);
    this.rebase(this.now().getTime() + ms);
  }

  run(speed = 1): void {
    if (!Number.isFinite(speed) || speed <= 0) throw new SimError('bad_clock', `clock.run: speed must be a positive number, got ${String(speed)}`);
    this.rebase(this.now().getTime());
    this.rate = speed;
  }

  pause(): void {
    this.rebase(this.now().getTime());
    this.rate = 0;
  }
}

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LazyRequestLogger } from '../src/http/request-logger.js';

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const real = pino({ level, base: { service: 'api' } }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const children: unknown[] = [];
  // the parent logger, counting the children made of it
  const parent = Object.create(real) as typeof real;
  parent.child = (bindings: Record<string, unknown>, options?: object) => {
    children.push(bindings);
    return real.child(bindings, options);
  };
  return { parent, lines, children };
}

describe('the request logger', () => {
  it('makes no child logger for a request that never logs', () => {
    const { parent, children } = capture();
    const log = new LazyRequestLogger(parent, { reqId: 'req-1' }, {});
    expect(log.level).toBe('info');
    expect(children).toEqual([]);
  });

  it('logs with the request id and the parent bindings, making the child once', () => {
    const { parent, lines, children } = capture();
    const log = new LazyRequestLogger(parent, { reqId: 'req-2' }, {});
    log.warn({ gameId: 'a' }, 'shedding load');
    log.error('request failed');
    log.debug('not at this level');
    expect(children).toEqual([{ reqId: 'req-2' }]);
    expect(lines).toMatchObject([
      { level: 40, service: 'api', reqId: 'req-2', gameId: 'a', msg: 'shedding load' },
      { level: 50, reqId: 'req-2', msg: 'request failed' },
    ]);
    expect(log.child({ extra: 1 }).info('x')).toBeUndefined();
    expect(lines.at(-1)).toMatchObject({ reqId: 'req-2', extra: 1, msg: 'x' });
  });

  it('takes a level for its own requests only', () => {
    const { parent, lines } = capture();
    const log = new LazyRequestLogger(parent, { reqId: 'req-3' }, {});
    log.level = 'debug';
    log.debug('now shown');
    parent.debug('the parent keeps its level');
    expect(lines.map((l) => l.msg)).toEqual(['now shown']);
  });
});

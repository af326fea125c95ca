import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BreakerChanged,
  CleanupTick,
  ContractError,
  GameChanged,
  PicksGraded,
  PollCompleted,
  PollTick,
  bucketNames,
  consumerNames,
  decode,
  encode,
  gameIdOfSubject,
  isFinal,
  renderPublishedFiles,
  streamSpecs,
  subjects,
} from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const read = (name: string) => readFileSync(join(fixtures, name));

describe('frozen sample events', () => {
  const bySchema = {
    'game.changed': GameChanged,
    'poll.tick': PollTick,
    'cleanup.tick': CleanupTick,
    'poll.completed': PollCompleted,
    'breaker.changed': BreakerChanged,
    'picks.graded': PicksGraded,
  } as const;
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.json'));

  it('has a sample of every event', () => {
    for (const prefix of Object.keys(bySchema)) expect(files.some((f) => f.startsWith(prefix))).toBe(true);
  });

  it.each(files)('%s still decodes', (file) => {
    const prefix = Object.keys(bySchema).find((p) => file.startsWith(p)) as keyof typeof bySchema;
    expect(() => decode(bySchema[prefix], read(file))).not.toThrow();
  });

  it('keeps the fields of a newer producer it does not know', () => {
    const e = decode(GameChanged, read('game.changed.v1.tbd-postponed.json')) as Record<string, unknown>;
    expect(e.addedLaterByANewerProducer).toBeDefined();
  });
});

describe('codec', () => {
  const sample = decode(GameChanged, read('game.changed.v1.json'));

  it('round-trips an event', () => {
    expect(decode(GameChanged, encode(GameChanged, sample))).toEqual(sample);
  });

  it('refuses to encode an invalid event, naming the field', () => {
    const bad = { ...sample, revision: 0 };
    expect(() => encode(GameChanged, bad)).toThrowError(/\/revision/);
  });

  it('refuses a score sent as a string', () => {
    const bad = structuredClone(sample) as unknown as { game: { home: { score: unknown } } };
    bad.game.home.score = '21';
    expect(() => decode(GameChanged, JSON.stringify(bad))).toThrowError(ContractError);
  });

  it('refuses bytes that are not JSON', () => {
    expect(() => decode(GameChanged, '{"type":')).toThrowError(/not JSON/);
  });

  it('refuses an unknown schema version', () => {
    expect(() => decode(GameChanged, JSON.stringify({ ...sample, schemaVersion: 2 }))).toThrowError(ContractError);
  });
});

describe('subjects', () => {
  it('builds game subjects broad to narrow, under the namespace', () => {
    const s = subjects.gameChanged('t1', { sport: 'football', league: 'nfl', id: '401547505' });
    expect(s).toBe('t1.game.changed.football.nfl.401547505');
    expect(gameIdOfSubject(s)).toBe('401547505');
  });

  it('builds filters', () => {
    expect(subjects.gameChangedFilter('t1')).toBe('t1.game.changed.>');
    expect(subjects.gameChangedFilter('t1', { league: 'nfl' })).toBe('t1.game.changed.*.nfl.*');
  });

  it('refuses tokens that would break a subject', () => {
    expect(() => subjects.gameChanged('t1', { sport: 'foot.ball', league: 'nfl', id: '1' })).toThrowError(/sport/);
    expect(() => subjects.picksGraded('t1', '>')).toThrowError(/game id/);
  });
});

describe('names under NAMESPACE', () => {
  it('prefixes every stream, durable consumer and KV bucket with the namespace', () => {
    const names = [
      ...Object.values(streamSpecs('t1')).map((s) => s.name),
      ...Object.values(consumerNames('t1')),
      ...Object.values(bucketNames('t1')),
    ];
    expect(names.length).toBeGreaterThan(8);
    for (const name of names) expect(name).toMatch(/^t1_[a-z-]+$/);
    // two deployments on the same servers share no name
    const other = [...Object.values(consumerNames('t2')), ...Object.values(bucketNames('t2'))];
    expect(other.filter((n) => names.includes(n))).toEqual([]);
  });
});

describe('game rules', () => {
  const game = decode(GameChanged, read('game.changed.v1.json')).game;
  it('is final only when post, completed and both scores are known', () => {
    const final = { ...game, status: { ...game.status, state: 'post' as const, completed: true } };
    expect(isFinal(final)).toBe(true);
    expect(isFinal({ ...final, home: { ...final.home, score: null } })).toBe(false);
    expect(isFinal(game)).toBe(false);
  });
});

describe('published JSON Schema', () => {
  it('is current with the TypeBox schemas (run pnpm generate)', () => {
    const dir = join(import.meta.dirname, '..', 'schema');
    const files = renderPublishedFiles();
    expect(readdirSync(dir).sort()).toEqual(Object.keys(files).sort());
    for (const [name, content] of Object.entries(files)) expect(readFileSync(join(dir, name), 'utf8')).toBe(content);
  });
});

import { describe, expect, it } from 'vitest';
import { ContractError } from '@scores/contracts';
import { checkGameEvent } from '../src/cache-writer.js';
import { gameEvent } from './fixtures.js';

describe('checkGameEvent', () => {
  const subject = (id: string) => `ns.game.changed.football.college-football.${id}`;

  it('passes an event whose gameId, game id and subject agree', () => {
    const ev = gameEvent({ gameId: '401', revision: 2 });
    expect(checkGameEvent(ev, subject('401'))).toBe(ev);
  });

  it("refuses an event filed under another game's id, by its envelope or its subject", () => {
    const ev = gameEvent({ gameId: '401', revision: 1 });
    expect(() => checkGameEvent({ ...ev, gameId: '402' }, subject('402'))).toThrow(ContractError);
    expect(() => checkGameEvent(ev, subject('402'))).toThrow(ContractError);
  });
});

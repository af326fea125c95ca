import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { testLogger } from '@scores/testkit';
import { createRegistry } from '@scores/service-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEspnClient, type EspnClient } from '../src/espn/client.js';
import { pollerConfig } from './helpers.js';

/** A scoreboard server whose next answer (bytes and encoding) each test sets. */
let server: Server;
let baseUrl = '';
let answer: { body: Buffer; encoding?: string } = { body: Buffer.from('{}') };
let acceptEncoding: string | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    acceptEncoding = req.headers['accept-encoding'];
    res.writeHead(200, { 'content-type': 'application/json', ...(answer.encoding ? { 'content-encoding': answer.encoding } : {}) });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/site/v2/sports`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let client: EspnClient;
const newClient = () => {
  client = createEspnClient(pollerConfig('client', baseUrl, { ESPN_RETRIES: '0' }).espn, { log: testLogger(), registry: createRegistry() });
  return client;
};
afterEach(() => client?.dispose());

const league = { sport: 'football', league: 'nfl' };
const json = JSON.stringify({ events: [{ id: '1', name: 'A at B' }], filler: 'x'.repeat(4000) });

describe('ESPN client', () => {
  it('asks for compressed answers and decodes gzip, brotli and uncompressed ones alike', async () => {
    const c = newClient();
    for (const [encoding, body] of [
      ['gzip', gzipSync(json)],
      [undefined, Buffer.from(json)],
      ['br', brotliCompressSync(json)],
    ] as const) {
      answer = { body, ...(encoding ? { encoding } : {}) };
      const res = await c.fetchDay(league, `2026-11-0${encoding === 'br' ? 3 : encoding ? 1 : 2}`);
      expect(res.body).toEqual(JSON.parse(json));
      expect(res.raw.toString()).toBe(json);
    }
    expect(acceptEncoding).toMatch(/gzip/);
  });

  it('answers the same compressed bytes as unchanged, with the previous parsed body', async () => {
    const c = newClient();
    answer = { body: gzipSync(json), encoding: 'gzip' };
    const first = await c.fetchDay(league, '2026-11-28');
    const second = await c.fetchDay(league, '2026-11-28');
    expect(first.unchanged).toBe(false);
    expect(second.unchanged).toBe(true);
    expect(second.body).toBe(first.body);
    expect(second.raw.toString()).toBe(json);
  });

  it('answers the same JSON compressed differently as unchanged too', async () => {
    const c = newClient();
    answer = { body: gzipSync(json, { level: 1 }), encoding: 'gzip' };
    const first = await c.fetchDay(league, '2026-11-28');
    answer = { body: gzipSync(json, { level: 9, strategy: constants.Z_HUFFMAN_ONLY }), encoding: 'gzip' };
    expect(answer.body.equals(gzipSync(json, { level: 1 }))).toBe(false);
    const second = await c.fetchDay(league, '2026-11-28');
    expect(second.unchanged).toBe(true);
    expect(second.body).toBe(first.body);
  });

  it('answers a changed body as changed', async () => {
    const c = newClient();
    answer = { body: gzipSync(json), encoding: 'gzip' };
    await c.fetchDay(league, '2026-11-28');
    const changed = json.replace('A at B', 'C at D');
    answer = { body: gzipSync(changed), encoding: 'gzip' };
    const res = await c.fetchDay(league, '2026-11-28');
    expect(res.unchanged).toBe(false);
    expect(res.body).toEqual(JSON.parse(changed));
  });

  it('fails a cut-short gzip body as malformed', async () => {
    const c = newClient();
    const gz = gzipSync(json);
    answer = { body: gz.subarray(0, gz.length - 20), encoding: 'gzip' };
    await expect(c.fetchDay(league, '2026-11-28')).rejects.toMatchObject({ code: 'ESPN_MALFORMED', outcome: 'malformed' });
  });
});

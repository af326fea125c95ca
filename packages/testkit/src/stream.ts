import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';

/**
 * Every message currently in a stream (optionally under one subject filter), in order.
 * For assertions: "exactly one tick per slot", "no revision missing".
 */
export async function readStream(
  ctx: { js: JetStreamClient; jsm: JetStreamManager },
  stream: string,
  filter?: string,
): Promise<JsMsg[]> {
  const info = await ctx.jsm.streams.info(stream);
  const total = info.state.messages;
  if (total === 0) return [];
  // one filter subject works on nats-server 2.9 (filter_subjects with several needs 2.10)
  const c = await ctx.js.consumers.get(stream, {
    deliver_policy: DeliverPolicy.All,
    ...(filter ? { filter_subjects: filter } : {}),
  });
  const out: JsMsg[] = [];
  for (;;) {
    const batch = await c.fetch({ max_messages: 500, expires: 1000 });
    let got = 0;
    for await (const m of batch) {
      out.push(m);
      got++;
      if (m.info.pending === 0) break;
    }
    const last = out.at(-1);
    if (got === 0 || !last || last.info.pending === 0) break;
  }
  await c.delete().catch(() => undefined);
  return out;
}

import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { streamSpecs, type StreamSpec } from '@scores/contracts';

const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

export function streamConfig(spec: StreamSpec, replicas = 1): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: spec.subjects,
    description: spec.description,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(spec.maxAgeS * 1000),
    max_msgs_per_subject: spec.maxMsgsPerSubject || -1,
    duplicate_window: nanos(spec.duplicateWindowS * 1000),
    num_replicas: replicas,
  };
}

/**
 * Read, then add or update: nats-server 2.9 updates a changed config silently on add,
 * newer servers refuse; this works on both, and concurrent replicas may race it safely.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec, replicas = 1): Promise<void> {
  const wanted = streamConfig(spec, replicas);
  try {
    const info = await jsm.streams.info(spec.name);
    const c = info.config;
    const same =
      c.max_age === wanted.max_age &&
      c.max_msgs_per_subject === wanted.max_msgs_per_subject &&
      c.duplicate_window === wanted.duplicate_window &&
      JSON.stringify([...c.subjects].sort()) === JSON.stringify([...spec.subjects].sort()) &&
      c.num_replicas >= replicas;
    // replicas only ever grow here: scaling a stream down is an operator's decision
    if (!same) await jsm.streams.update(spec.name, { ...c, ...wanted, num_replicas: Math.max(c.num_replicas, replicas) });
  } catch (err) {
    if (!isApiError(err, STREAM_NOT_FOUND)) throw err;
    try {
      await jsm.streams.add(wanted);
    } catch (addErr) {
      // another replica created it between our read and add
      await jsm.streams.info(spec.name).catch(() => {
        throw addErr;
      });
    }
  }
}

/** Every stream of the namespace; cheap when they exist. */
export async function ensureStreams(jsm: JetStreamManager, ns: string, replicas = 1): Promise<void> {
  for (const spec of Object.values(streamSpecs(ns))) await ensureStream(jsm, spec, replicas);
}

export interface DurableSpec {
  stream: string;
  durable: string;
  /** the subjects it reads; none: the whole stream */
  filterSubject?: string;
  /** how long a message may stay unacked before redelivery */
  ackWaitMs: number;
  maxDeliver?: number;
  maxAckPending?: number;
  /** where a new durable starts: all retained messages, or only new ones */
  deliver?: 'all' | 'new';
  description?: string;
}

export async function ensureDurable(jsm: JetStreamManager, spec: DurableSpec): Promise<void> {
  const wanted: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    description: spec.description,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver ?? -1,
    max_ack_pending: spec.maxAckPending ?? 1000,
    filter_subject: spec.filterSubject,
    deliver_policy: spec.deliver === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
  };
  try {
    const info = await jsm.consumers.info(spec.stream, spec.durable);
    const c = info.config;
    if (
      c.ack_wait !== wanted.ack_wait ||
      c.max_deliver !== wanted.max_deliver ||
      c.max_ack_pending !== wanted.max_ack_pending ||
      c.filter_subject !== wanted.filter_subject
    ) {
      await jsm.consumers.update(spec.stream, spec.durable, {
        ack_wait: wanted.ack_wait,
        max_deliver: wanted.max_deliver,
        max_ack_pending: wanted.max_ack_pending,
        filter_subject: wanted.filter_subject,
        description: wanted.description,
      });
    }
  } catch (err) {
    if (!isApiError(err, CONSUMER_NOT_FOUND)) throw err;
    try {
      await jsm.consumers.add(spec.stream, wanted);
    } catch (addErr) {
      await jsm.consumers.info(spec.stream, spec.durable).catch(() => {
        throw addErr;
      });
    }
  }
}

/**
 * ensureDurable for a durable that reads its whole stream: when the filter is the
 * stream's only subject, the durable is provisioned without a filter (an existing one
 * loses it). Same messages, but nats-server 2.9 recounts a filtered consumer's pending
 * messages by scanning the stream's block and matching every subject, and in its
 * delivery loop it does so for message after message: ~4.5 ms of server CPU per message
 * on a 3,000-message stream, which held a drain to ~1,000 events/s (see
 * docs/performance.md). Unfiltered, it counts from sequence numbers.
 */
export async function ensureStreamDurable(jsm: JetStreamManager, spec: DurableSpec): Promise<void> {
  const { config: stream } = await jsm.streams.info(spec.stream);
  const whole = stream.subjects.length === 1 && stream.subjects[0] === spec.filterSubject;
  // an undefined filter_subject is left out of ensureDurable's update, and the server drops the filter
  await ensureDurable(jsm, whole ? { ...spec, filterSubject: undefined } : spec);
}

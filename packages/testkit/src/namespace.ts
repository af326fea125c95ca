import { randomBytes } from 'node:crypto';

/** A namespace no other test run or file will ever use: subjects, streams, buckets, keys. */
export function freshNamespace(label = 't'): string {
  return `${label.replace(/[^A-Za-z0-9_-]/g, '')}_${randomBytes(5).toString('hex')}`;
}

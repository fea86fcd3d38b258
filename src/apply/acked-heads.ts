/**
 * Which update heads are known to be acknowledged, kept in a framework label between runs.
 *
 * The master keeps a task's `status_update_uuid` (the head: the update it forwarded last)
 * after the acknowledgement, so the operator API cannot tell a head an earlier run handled
 * from one a killed run left pending, and every run's leaving pass (pending-acks.ts) would
 * acknowledge every head again: one ACKNOWLEDGE per task per run. Instead a run that leaves
 * writes this label (UPDATE_FRAMEWORK, lifecycle.ts): the task ids hashed into BUCKETS
 * buckets, and per bucket a digest of the (task id, uuid) pairs it knows acknowledged. The
 * next run digests the heads it reads the same way; where a bucket's digest is the same, every
 * head in it is one of those pairs, and needs no ACKNOWLEDGE. Any other bucket is acknowledged
 * in full, as is everything when the label is missing or not in this format.
 *
 * Invariants:
 *  - the label only ever names pairs that were acknowledged (an ACKNOWLEDGE the master
 *    accepted, by this run or a run before), so an old label, carried forward by a later
 *    SUBSCRIBE or left by a run that failed over, is still true: at worst it matches less;
 *  - a head that differs in any way (a new update, a new task, one gone) changes its bucket's
 *    digest; only a 48-bit digest collision could hide one;
 *  - an ACKNOWLEDGE the master accepted but could not pass on (its agent disconnected just
 *    then) leaves the update pending though the label vouches for it: the agent resends what
 *    is pending when it re-registers and whenever the framework (re-)subscribes (slave.cpp
 *    `Slave::reregistered`, `Slave::updateFramework`), so a later run's stream brings it;
 *  - the label is small and fixed in size (about 0.5 KB), whatever the number of tasks: agents
 *    checkpoint the FrameworkInfo, and the master sends it to every agent on each update.
 */
import { createHash } from 'node:crypto';
import type { StreamHead } from './cluster.js';

export const LABEL_ACKED_HEADS = 'mesos-apply/acked-heads';
const BUCKETS = 64;
const DIGEST_BYTES = 6;
const PREFIX = `v1:${BUCKETS}:`;

/** A task's bucket: FNV-1a (32 bits) of its id, so the spread does not depend on how ids look. */
function bucketOf(taskId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < taskId.length; i++) {
    h ^= taskId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKETS;
}

/** Per bucket, the digest of its heads' (task id, uuid) pairs, in task id order. */
function digests(heads: readonly StreamHead[]): Buffer {
  const buckets: string[][] = Array.from({ length: BUCKETS }, () => []);
  for (const h of heads)
    if (h.status_update_uuid !== undefined)
      buckets[bucketOf(h.task_id.value)]!.push(`${h.task_id.value}\n${h.status_update_uuid}\n`);
  const out = Buffer.alloc(BUCKETS * DIGEST_BYTES);
  buckets.forEach((pairs, b) => {
    const hash = createHash('sha256');
    for (const p of pairs.sort()) hash.update(p);
    hash.digest().copy(out, b * DIGEST_BYTES, 0, DIGEST_BYTES);
  });
  return out;
}

/** The label's value for the heads of `heads` that `acknowledged` says were acknowledged. */
export function ackedHeadsLabel(heads: readonly StreamHead[], acknowledged: (uuid: string) => boolean): string {
  const known = heads.filter((h) => h.status_update_uuid !== undefined && acknowledged(h.status_update_uuid));
  return PREFIX + digests(known).toString('base64');
}

/**
 * The uuids of `heads` that a label written by an earlier run vouches for: those in buckets
 * whose digest is the same. None when the label is missing or not in this format.
 */
export function knownAcknowledged(label: string | undefined, heads: readonly StreamHead[]): Set<string> {
  const known = new Set<string>();
  if (label === undefined || !label.startsWith(PREFIX)) return known;
  const recorded = Buffer.from(label.slice(PREFIX.length), 'base64');
  if (recorded.length !== BUCKETS * DIGEST_BYTES) return known;
  const now = digests(heads);
  const same = Array.from({ length: BUCKETS }, (_, b) => {
    const at = b * DIGEST_BYTES;
    return now.compare(recorded, at, at + DIGEST_BYTES, at, at + DIGEST_BYTES) === 0;
  });
  for (const h of heads)
    if (h.status_update_uuid !== undefined && same[bucketOf(h.task_id.value)]) known.add(h.status_update_uuid);
  return known;
}

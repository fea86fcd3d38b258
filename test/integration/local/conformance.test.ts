/**
 * Conformance against the recording of a real Apache Mesos 1.12 master: the shared
 * record-wire.mjs scenario is replayed against a local cluster on a free port, scored
 * with compare-wire.mjs, and a few answers are checked one by one. CI has ../shared beside
 * the repository; without it this file is skipped.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../../src/local/index.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.resolve(root, '../shared');
const tools = path.join(shared, 'tools/wire');
const reference = path.join(shared, 'fixtures/real-mesos/transcript.jsonl');
const present = fs.existsSync(path.join(tools, 'record-wire.mjs')) && fs.existsSync(reference);

interface Exchange {
  kind: string;
  step?: string;
  response?: { status: number; body: string };
  stream?: string;
  event?: { type: string };
}

describe.skipIf(!present)('wire conformance with Apache Mesos 1.12 (record-wire scenario)', () => {
  let cluster: LocalCluster;
  let out: string;
  let compare = '';
  let transcript: Exchange[] = [];

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-local-'));
    cluster = await startLocalCluster({
      port: 0,
      agents: 1,
      resources: 'cpus:2;mem:2048;disk:4096;ports:[31000-32000]',
      workDir: path.join(out, 'work'),
    });
    await run(process.execPath, [path.join(tools, 'record-wire.mjs'), cluster.url, path.join(out, 'wire')], {
      timeout: 100_000,
    });
    const cand = path.join(out, 'wire/transcript.jsonl');
    transcript = fs
      .readFileSync(cand, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Exchange);
    compare = await run(process.execPath, [path.join(tools, 'compare-wire.mjs'), reference, cand]).then(
      (r) => r.stdout,
      (e: { stdout: string }) => e.stdout,
    );
  }, 120_000);

  afterAll(async () => {
    await cluster?.close();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  const step = (name: string) => transcript.find((e) => e.kind === 'exchange' && e.step === name)?.response;

  it('scores every comparison of compare-wire.mjs', () => {
    const diffs = compare.split('\n').filter((l) => l.startsWith('DIFF'));
    expect(diffs).toEqual([]);
    const m = /(\d+) passed, (\d+) failed/.exec(compare);
    expect(m).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(133);
    expect(Number(m![1])).toBe(133);
  });

  it('answers the request errors with Mesos status codes and texts', () => {
    expect(step('GET scheduler')).toMatchObject({
      status: 405,
      body: "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.",
    });
    expect(step('json with charset')).toMatchObject({ status: 415 });
    expect(step('subscribe missing framework_info')).toMatchObject({
      status: 400,
      body: 'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info',
    });
    expect(step('subscribe accepting only xml')?.status).toBe(406);
    expect(step('decline for unknown framework')).toMatchObject({ status: 400, body: 'Framework cannot be found' });
    expect(step('reconcile without reconcile object')).toMatchObject({
      status: 400,
      body: "Failed to validate scheduler::Call: Expecting 'reconcile' to be present",
    });
    expect(step('legacy /state.json')?.status).toBe(404);
    expect(step('call with the old stream id after failover')?.status).toBe(400);
  });

  it('ends the failed-over stream with ERROR and refuses the torn-down framework', () => {
    const errors = (stream: string) =>
      transcript.filter((e) => e.kind === 'event' && e.stream === stream && e.event?.type === 'ERROR');
    expect(errors('stream-1')).toHaveLength(1);
    expect(errors('subscribe-after-teardown')).toHaveLength(1);
    expect(transcript.some((e) => e.kind === 'stream-end' && e.stream === 'stream-3-after-disconnect')).toBe(true);
  });
});

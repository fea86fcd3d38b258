/**
 * bench/recordio: decode a large scheduler event stream, as the session does
 * (RecordIO decoder → UTF-8 → parseMesosJson), beside the floor: `JSON.parse` of the same
 * records already framed and already decoded to strings. Also checks that memory stays
 * flat as the stream gets longer (the stream is generated lazily, never held whole).
 *
 * The events are built from records of the real Mesos 1.12 recording (stream-1.recordio):
 * OFFERS events of 1,000 offers (one per agent, as a 1,000-agent cluster sends) and many
 * small UPDATE events; 1 in 100 updates carries `unreachable_time` (a nanoseconds value
 * above 2^53), so the exact-int64 path is exercised at a realistic rate.
 *
 * Last stdout line: one JSON object with the figures and `ratio` (decode / floor).
 */
import { RecordIODecoder } from '../src/mesos/recordio.js';
import { parseMesosJson } from '../src/mesos/json64.js';

const OFFER = `{"id":{"value":"cc85727d-5e93-4341-80a5-7a8f86dadfa6-O#"},"framework_id":{"value":"cc85727d-5e93-4341-80a5-7a8f86dadfa6-0000"},"agent_id":{"value":"cc85727d-5e93-4341-80a5-7a8f86dadfa6-S#"},"hostname":"agent-#.example.com","url":{"scheme":"http","address":{"hostname":"agent-#.example.com","ip":"10.0.3.#","port":5051},"path":"/slave(1)"},"resources":[{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]},"role":"*","allocation_info":{"role":"web"}},{"name":"cpus","type":"SCALAR","scalar":{"value":2.0},"role":"*","allocation_info":{"role":"web"}},{"name":"mem","type":"SCALAR","scalar":{"value":2048.0},"role":"*","allocation_info":{"role":"web"}},{"name":"disk","type":"SCALAR","scalar":{"value":4096.0},"role":"*","allocation_info":{"role":"web"}}],"allocation_info":{"role":"web"}}`;
const UPDATE = `{"type":"UPDATE","update":{"status":{"task_id":{"value":"job.#"},"state":"TASK_STARTING","source":"SOURCE_EXECUTOR","agent_id":{"value":"cc85727d-5e93-4341-80a5-7a8f86dadfa6-S0"},"executor_id":{"value":"job.#"},"timestamp":1795649003.957101,"uuid":"YkAC14qVTHmoj+425OQmXQ==","container_status":{"container_id":{"value":"22999d77-9763-49e0-9c14-ce6002e84e55"},"network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"127.0.0.1"}]}],"executor_pid":13023}}}}`;
const UNREACHABLE = UPDATE.replace('"TASK_STARTING"', '"TASK_UNREACHABLE"').replace(
  '"timestamp"',
  '"unreachable_time":{"nanoseconds":1795649003488916993},"timestamp"',
);

const CHUNK = 16 * 1024; // HTTP chunk size as seen on the wire; records straddle chunks

function offersEvent(n: number, seq: number): string {
  const offers: string[] = [];
  for (let i = 0; i < n; i++) offers.push(OFFER.replaceAll('#', String(seq * n + i)));
  return `{"type":"OFFERS","offers":{"offers":[${offers.join(',')}]}}`;
}

/** One stream segment: 2 big OFFERS events and 4,000 small UPDATEs. */
function segmentRecords(): string[] {
  const records: string[] = [];
  for (let k = 0; k < 2; k++) {
    records.push(offersEvent(1000, k));
    for (let i = 0; i < 2000; i++) records.push((i % 100 === 0 ? UNREACHABLE : UPDATE).replaceAll('#', String(i)));
  }
  return records;
}

function frame(records: string[]): Buffer {
  return Buffer.concat(
    records.flatMap((r) => {
      const b = Buffer.from(r, 'utf8');
      return [Buffer.from(`${b.length}\n`), b];
    }),
  );
}

function chunks(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; at += CHUNK) out.push(Buffer.from(stream.subarray(at, at + CHUNK)));
  return out;
}

/** The session's path: bytes → records → events. Returns events seen (to keep work live). */
function decode(parts: Buffer[], repeat: number, onSample?: () => void): number {
  const decoder = new RecordIODecoder();
  let events = 0;
  const emit = (buf: Buffer, start: number, end: number): void => {
    const e = parseMesosJson<{ type: string }>(buf.toString('utf8', start, end));
    if (e.type) events++;
  };
  for (let r = 0; r < repeat; r++) {
    for (const c of parts) decoder.pushRanges(c, emit);
    onSample?.();
  }
  decoder.end();
  return events;
}

/** The floor: JSON.parse of the records already framed (one Buffer per record). */
function floor(records: Buffer[], repeat: number): number {
  let events = 0;
  for (let r = 0; r < repeat; r++) {
    for (const b of records) if ((JSON.parse(b.toString('utf8')) as { type: string }).type) events++;
  }
  return events;
}

/** Stricter reference: JSON.parse of records already framed and already decoded to strings. */
function floorStrings(strings: string[], repeat: number): number {
  let events = 0;
  for (let r = 0; r < repeat; r++) {
    for (const s of strings) if ((JSON.parse(s) as { type: string }).type) events++;
  }
  return events;
}

function time(fn: () => number): { ms: number; n: number } {
  const t0 = process.hrtime.bigint();
  const n = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, n };
}

function min(a: { ms: number; n: number }, b: { ms: number; n: number }): { ms: number; n: number } {
  return b.ms < a.ms ? b : a;
}

function best(runs: number, fn: () => number): { ms: number; n: number } {
  let min = { ms: Infinity, n: 0 };
  for (let i = 0; i < runs; i++) {
    const t = time(fn);
    if (t.ms < min.ms) min = t;
  }
  return min;
}

/** Peak heap while decoding `repeat` copies of the stream, sampled after each copy. */
function peakHeapMb(parts: Buffer[], repeat: number): number {
  globalThis.gc?.();
  let peak = 0;
  decode(parts, repeat, () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  });
  return peak / 1024 / 1024;
}

function main(): void {
  const records = segmentRecords();
  const stream = frame(records);
  const parts = chunks(stream);
  const mb = stream.length / 1024 / 1024;
  const repeat = 4;

  const framed = records.map((r) => Buffer.from(r, 'utf8'));
  best(1, () => decode(parts, 1) + floor(framed, 1) + floorStrings(records, 1)); // warm up every path
  // Interleaved best-of-7, so load from other processes hits every path alike.
  let dec = { ms: Infinity, n: 0 };
  let flo = { ms: Infinity, n: 0 };
  let str = { ms: Infinity, n: 0 };
  for (let i = 0; i < 7; i++) {
    dec = min(
      dec,
      time(() => decode(parts, repeat)),
    );
    flo = min(
      flo,
      time(() => floor(framed, repeat)),
    );
    str = min(
      str,
      time(() => floorStrings(records, repeat)),
    );
  }
  if (dec.n !== flo.n || dec.n !== str.n) throw new Error(`event counts differ: ${dec.n} vs ${flo.n} vs ${str.n}`);

  const heapShort = peakHeapMb(parts, 2);
  const heapLong = peakHeapMb(parts, 16);
  const mbPerS = (mb * repeat) / (dec.ms / 1000);
  const floorMbPerS = (mb * repeat) / (flo.ms / 1000);
  const result = {
    bench: 'recordio',
    stream_mb: Number((mb * repeat).toFixed(1)),
    events: dec.n,
    largest_record_kb: Math.round(Math.max(...records.map((r) => Buffer.byteLength(r))) / 1024),
    chunk_bytes: CHUNK,
    mb_per_s: Math.round(mbPerS),
    floor_mb_per_s: Math.round(floorMbPerS),
    ratio: Number((mbPerS / floorMbPerS).toFixed(3)),
    floor_strings_mb_per_s: Math.round((mb * repeat) / (str.ms / 1000)),
    ratio_vs_strings: Number((str.ms / dec.ms).toFixed(3)),
    peak_heap_mb_2x: Number(heapShort.toFixed(1)),
    peak_heap_mb_16x: Number(heapLong.toFixed(1)),
    memory_flat: heapLong < heapShort * 1.5 + 16,
  };
  console.log(
    `decode ${result.mb_per_s} MB/s vs JSON.parse floor ${result.floor_mb_per_s} MB/s (ratio ${result.ratio})`,
  );
  console.log(
    `peak heap: ${result.peak_heap_mb_2x} MB for ${(mb * 2).toFixed(0)} MB of stream, ${result.peak_heap_mb_16x} MB for ${(mb * 16).toFixed(0)} MB`,
  );
  console.log(JSON.stringify(result));
}

main();

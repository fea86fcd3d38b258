import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RecordIODecoder, RecordIOError, RecordIOTransform, decodeRecordIO } from '../../../src/mesos/recordio.js';

import { FIXTURES } from '../../support/fixtures.js';
const recordings = readdirSync(FIXTURES).filter((f) => f.endsWith('.recordio'));

function encode(records: (string | Buffer)[]): Buffer {
  return Buffer.concat(
    records.flatMap((r) => {
      const b = Buffer.isBuffer(r) ? r : Buffer.from(r, 'utf8');
      return [Buffer.from(`${b.length}\n`, 'ascii'), b];
    }),
  );
}

/** Reference split of a whole stream, written independently of the decoder under test. */
function referenceRecords(all: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < all.length) {
    const nl = all.indexOf(0x0a, at);
    const len = Number(all.subarray(at, nl).toString('ascii'));
    out.push(all.subarray(nl + 1, nl + 1 + len).toString('utf8'));
    at = nl + 1 + len;
  }
  return out;
}

function decodeChunks(chunks: Buffer[], max?: number): string[] {
  const d = new RecordIODecoder({ maxRecordBytes: max });
  const out: string[] = [];
  for (const c of chunks) d.push(c, (r) => out.push(r.toString('utf8')));
  d.end();
  return out;
}

/** Deterministic PRNG so a failing chunking can be reproduced from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomChunks(all: Buffer, rand: () => number, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; ) {
    const n = 1 + Math.floor(rand() * maxChunk);
    chunks.push(all.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

describe('RecordIODecoder on the recorded Mesos streams', () => {
  it('finds the recordings', () => {
    expect(recordings.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of recordings) {
    const all = readFileSync(join(FIXTURES, file));
    const expected = referenceRecords(all);

    it(`${file}: one chunk yields every record, each a JSON event`, () => {
      const records = decodeChunks([all]);
      expect(records).toEqual(expected);
      for (const r of records) expect(typeof JSON.parse(r).type).toBe('string');
    });

    it(`${file}: every single split point yields the same records`, () => {
      for (let cut = 1; cut < all.length; cut += all.length > 2000 ? 7 : 1) {
        expect(decodeChunks([all.subarray(0, cut), all.subarray(cut)])).toEqual(expected);
      }
    });

    it(`${file}: 200 random chunkings (1..64 bytes and 1..4096 bytes) yield the same records`, () => {
      for (let seed = 1; seed <= 100; seed++) {
        expect(decodeChunks(randomChunks(all, rng(seed), 64)), `seed ${seed}`).toEqual(expected);
        expect(decodeChunks(randomChunks(all, rng(seed + 1000), 4096)), `seed ${seed + 1000}`).toEqual(expected);
      }
    });
  }

  it('byte-at-a-time over all recordings concatenated', () => {
    const all = Buffer.concat(recordings.map((f) => readFileSync(join(FIXTURES, f))));
    const chunks = [...all].map((b) => Buffer.from([b]));
    expect(decodeChunks(chunks)).toEqual(referenceRecords(all));
  });
});

describe('RecordIODecoder edge cases', () => {
  it('counts bytes, not characters, and reassembles a multi-byte character split across chunks', () => {
    const text = '{"message":"héllo wörld ✓ 😀"}';
    const all = encode([text, text]);
    expect(all.toString('ascii', 0, 3)).toBe(`${Buffer.byteLength(text)}\n`.slice(0, 3));
    const emoji = all.indexOf(Buffer.from('😀'));
    for (let k = 1; k < 4; k++) {
      expect(decodeChunks([all.subarray(0, emoji + k), all.subarray(emoji + k)])).toEqual([text, text]);
    }
  });

  it('splits inside the length digits', () => {
    const all = encode(['x'.repeat(1234)]);
    expect(decodeChunks([all.subarray(0, 2), all.subarray(2, 4), all.subarray(4)])).toEqual(['x'.repeat(1234)]);
  });

  it('several records in one chunk, and empty records', () => {
    const all = Buffer.concat([encode(['a', 'bc']), Buffer.from('0\n'), encode(['d'])]);
    expect(decodeChunks([all])).toEqual(['a', 'bc', '', 'd']);
  });

  it('a record inside one chunk is a zero-copy view; a split one is copied once', () => {
    const all = encode(['hello', 'world']);
    const d = new RecordIODecoder();
    const got = d.decode(all);
    expect(got[0].buffer).toBe(all.buffer);
    const d2 = new RecordIODecoder();
    const parts = [...d2.decode(all.subarray(0, 4)), ...d2.decode(all.subarray(4))];
    expect(parts.map(String)).toEqual(['hello', 'world']);
  });

  it('pushRanges hands out [start, end) of the chunk or of the assembled record, in order', () => {
    const all = encode(['first', 'sécond', 'third']);
    for (const cut of [1, 4, 9, 12, all.length - 1]) {
      const d = new RecordIODecoder();
      const out: string[] = [];
      for (const part of [all.subarray(0, cut), all.subarray(cut)]) {
        d.pushRanges(part, (buf, start, end) => out.push(buf.toString('utf8', start, end)));
      }
      expect(out, `cut ${cut}`).toEqual(['first', 'sécond', 'third']);
    }
  });

  it('a malformed length is a typed error naming the offset', () => {
    const d = new RecordIODecoder();
    d.decode(encode(['ab']));
    let err: unknown;
    try {
      d.decode(Buffer.from('1x\nz'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecordIOError);
    expect((err as RecordIOError).code).toBe('MA_ERR_RECORDIO');
    expect((err as RecordIOError).offset).toBe(5); // "2\nab" is 4 bytes, then '1' at 4, 'x' at 5
    expect((err as Error).message).toMatch(/byte 5/);
  });

  it('an empty length line is an error', () => {
    expect(() => new RecordIODecoder().decode(Buffer.from('\n'))).toThrow(/empty record length at byte 0/);
  });

  it('a record larger than the bound fails before allocating, while its digits arrive', () => {
    const d = new RecordIODecoder({ maxRecordBytes: 1000 });
    expect(() => d.decode(Buffer.from('99999999999999999999999'))).toThrow(/exceeds the limit of 1000 bytes at byte 3/);
    expect(decodeChunks([encode(['y'.repeat(1000)])], 1000)).toEqual(['y'.repeat(1000)]);
  });

  it('end() inside a record or a length is an error; at a boundary it is fine', () => {
    const d = new RecordIODecoder();
    d.decode(Buffer.from('5\nab'));
    expect(() => d.end()).toThrow(/stream ended inside a record \(2 of 5 bytes\) at byte 4/);
    const d2 = new RecordIODecoder();
    d2.decode(Buffer.from('12'));
    expect(() => d2.end()).toThrow(RecordIOError);
    const d3 = new RecordIODecoder();
    d3.decode(encode(['ok']));
    expect(() => d3.end()).not.toThrow();
  });

  it('works as a stream.Transform and as an async iterator', async () => {
    const all = readFileSync(join(FIXTURES, 'stream-1.recordio'));
    const expected = referenceRecords(all);
    const chunks = randomChunks(all, rng(7), 100);
    const viaTransform: string[] = [];
    for await (const r of Readable.from(chunks).pipe(new RecordIOTransform())) viaTransform.push(String(r));
    expect(viaTransform).toEqual(expected);
    const viaIterator: string[] = [];
    for await (const r of decodeRecordIO(Readable.from(chunks))) viaIterator.push(String(r));
    expect(viaIterator).toEqual(expected);
  });

  it('the Transform reports a truncated stream as an error', async () => {
    const consume = async () => {
      for await (const _ of Readable.from([Buffer.from('10\nabc')]).pipe(new RecordIOTransform())) void _;
    };
    await expect(consume()).rejects.toThrow(RecordIOError);
  });
});

/**
 * RecordIO decoder (mesos-protocol §1.3): `record := decimal-length "\n" bytes`, the length
 * counting bytes, no separator after the bytes. HTTP chunk boundaries are unrelated to
 * record boundaries: a chunk may end inside the length digits, inside a record (and so
 * inside a multi-byte UTF-8 character), or hold many records.
 *
 * Invariants:
 * - Records are delivered as raw bytes; decoding text is the caller's business, so a
 *   character split across chunks is never decoded half.
 * - A record that lies wholly inside one chunk is a zero-copy view of that chunk; only a
 *   record that spans chunks is copied, once, into an assembly buffer sized for it (and
 *   reused by later records). Memory is bounded by the largest record, not by the
 *   stream's length.
 * - The announced length is checked against `maxRecordBytes` while its digits arrive, so
 *   a corrupt or hostile length fails with MA_ERR_RECORDIO before any allocation.
 * - Every error names the absolute byte offset in the stream where it was detected.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { MesosError } from './errors.js';

export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

export interface RecordIOOptions {
  /** Largest record accepted, in bytes (default 64 MiB). */
  maxRecordBytes?: number;
}

export class RecordIOError extends MesosError {
  /** Byte offset in the stream where the problem was detected. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super('MA_ERR_RECORDIO', `RecordIO: ${message} at byte ${offset}`);
    this.name = 'RecordIOError';
    this.offset = offset;
  }
}

const NEWLINE = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;
const EMPTY = Buffer.alloc(0);
const KEEP_SCRATCH = 4 * 1024 * 1024;

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class RecordIODecoder {
  private readonly max: number;
  /** Bytes of the stream consumed before the current chunk. */
  private base = 0;
  private inHeader = true;
  private length = 0;
  private digits = 0;
  /** The record being assembled across chunks (a view of `scratch`), and how much of it is filled. */
  private partial: Buffer | null = null;
  private filled = 0;
  /**
   * Reused for records that span chunks, so a stream of big OFFERS events does not
   * allocate (and make the GC account for) a fresh buffer per event. Kept only up to
   * KEEP_SCRATCH bytes, so one huge record does not pin its memory for the stream's life.
   */
  private scratch: Buffer | null = null;

  constructor(options: RecordIOOptions = {}) {
    this.max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.base;
  }

  /** Feed one chunk; every record it completes is passed to `emit`, in order. */
  push(input: Uint8Array, emit: (record: Buffer) => void): void {
    this.pushRanges(input, (buf, start, end) => {
      // The assembly buffer is reused by the next record: hand out a copy of it.
      if (buf === this.scratch) emit(Buffer.from(buf.subarray(start, end)));
      else emit(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
    });
  }

  /**
   * Like push(), without allocating a view per record: each record is `buf[start, end)`,
   * valid only during the callback (the hot path: decode the text right there).
   */
  pushRanges(input: Uint8Array, emit: (buf: Buffer, start: number, end: number) => void): void {
    const chunk = asBuffer(input);
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.partial !== null) {
        i = this.fill(chunk, i, emit);
        continue;
      }
      i = this.readHeader(chunk, i);
      if (this.inHeader) break;
      const need = this.length;
      this.resetHeader();
      if (need === 0) {
        emit(EMPTY, 0, 0);
      } else if (n - i >= need) {
        emit(chunk, i, i + need);
        i += need;
      } else {
        this.partial = this.assemblyBuffer(need);
        chunk.copy(this.partial, 0, i, n);
        this.filled = n - i;
        i = n;
      }
    }
    this.base += n;
  }

  /** Feed one chunk and collect its records. */
  decode(chunk: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    this.push(chunk, (r) => out.push(r));
    return out;
  }

  /** The stream ended: fail if it ended inside a record or a length. */
  end(): void {
    if (this.partial !== null) {
      throw new RecordIOError(
        `stream ended inside a record (${this.filled} of ${this.partial.length} bytes)`,
        this.base,
      );
    }
    if (this.digits > 0) throw new RecordIOError('stream ended inside a record length', this.base);
  }

  /** Parse length digits from `i`; returns the index after the newline, or `n` if incomplete. */
  private readHeader(chunk: Buffer, start: number): number {
    const n = chunk.length;
    for (let i = start; i < n; i++) {
      const c = chunk[i];
      if (c === NEWLINE) {
        if (this.digits === 0) throw new RecordIOError('empty record length', this.base + i);
        this.inHeader = false;
        return i + 1;
      }
      if (c < ZERO || c > NINE) {
        throw new RecordIOError(
          `unexpected byte 0x${c.toString(16).padStart(2, '0')} in a record length`,
          this.base + i,
        );
      }
      this.length = this.length * 10 + (c - ZERO);
      this.digits++;
      if (this.length > this.max) {
        throw new RecordIOError(`record length exceeds the limit of ${this.max} bytes`, this.base + i);
      }
    }
    return n;
  }

  private fill(chunk: Buffer, i: number, emit: (buf: Buffer, start: number, end: number) => void): number {
    const partial = this.partial as Buffer;
    const take = Math.min(partial.length - this.filled, chunk.length - i);
    chunk.copy(partial, this.filled, i, i + take);
    this.filled += take;
    if (this.filled === partial.length) {
      this.partial = null;
      this.filled = 0;
      emit(this.scratch as Buffer, 0, partial.length);
      if ((this.scratch?.length ?? 0) > KEEP_SCRATCH) this.scratch = null;
    }
    return i + take;
  }

  private assemblyBuffer(size: number): Buffer {
    if (this.scratch === null || this.scratch.length < size) this.scratch = Buffer.allocUnsafeSlow(size);
    return this.scratch.subarray(0, size);
  }

  private resetHeader(): void {
    this.inHeader = true;
    this.length = 0;
    this.digits = 0;
  }
}

/** A stream.Transform: bytes in, one Buffer per record out (object mode). */
export class RecordIOTransform extends Transform {
  private readonly decoder: RecordIODecoder;

  constructor(options: RecordIOOptions = {}) {
    super({ readableObjectMode: true });
    this.decoder = new RecordIODecoder(options);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder.push(chunk, (record) => this.push(record));
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.end();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}

/** Records of a byte source, as an async iterator. Ends with the source; errors if truncated. */
export async function* decodeRecordIO(
  source: AsyncIterable<Uint8Array>,
  options: RecordIOOptions = {},
): AsyncGenerator<Buffer> {
  const decoder = new RecordIODecoder(options);
  for await (const chunk of source) {
    const records = decoder.decode(chunk);
    for (const record of records) yield record;
  }
  decoder.end();
}

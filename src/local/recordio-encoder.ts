/**
 * RecordIO framing for the local master's event streams (stout `recordio::encode`):
 * `<decimal byte length>\n<record bytes>`, no separator after the record, no magic.
 * The length counts UTF-8 bytes, never UTF-16 code units (mesos-protocol Trap 4).
 *
 * This is the local cluster's own encoder: it deliberately shares no code with the
 * client's decoder in src/mesos, so a framing bug cannot hide on both sides at once.
 */

/** Frames one record. */
export function encodeRecord(record: string | Buffer): Buffer {
  const body = typeof record === 'string' ? Buffer.from(record, 'utf8') : record;
  const header = Buffer.from(`${body.length}\n`, 'ascii');
  return Buffer.concat([header, body], header.length + body.length);
}

/** Frames one JSON event (any JSON-serialisable value). */
export function encodeJsonRecord(value: unknown): Buffer {
  return encodeRecord(JSON.stringify(value));
}

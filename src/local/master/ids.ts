/**
 * Identifiers as the Mesos master makes them (mesos-protocol Appendix A): a random UUID
 * per master start; frameworks `<mid>-0000` (4-digit counter), offers `<mid>-O<n>`,
 * agents `<mid>-S<n>`; a random UUID per SUBSCRIBE stream.
 */
import { randomUUID } from 'node:crypto';

export const newUuid = (): string => randomUUID();

export const frameworkIdFor = (masterId: string, n: number): string => `${masterId}-${String(n).padStart(4, '0')}`;
export const offerIdFor = (masterId: string, n: number): string => `${masterId}-O${n}`;
export const agentIdFor = (masterId: string, n: number): string => `${masterId}-S${n}`;

/**
 * `id::UUID::fromBytes`: the base64 text must decode to exactly 16 bytes whose version
 * nibble names a known RFC 4122 version (1–5), else "Not a valid UUID".
 */
export function isValidUuidBase64(text: string): boolean {
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(text)) return false;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 16) return false;
  const version = bytes[6] >> 4;
  return version >= 1 && version <= 5;
}

/** Two base64 renderings of the same bytes are the same uuid (padding may differ). */
export function sameUuid(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
}

/** `MasterInfo.ip`: the IPv4 address packed in network byte order, read as a little-endian uint32. */
export function packIPv4(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return 0;
  return ((parts[3] << 24) >>> 0) + (parts[2] << 16) + (parts[1] << 8) + parts[0];
}

/** `ID must not be empty` & co. (common/validation.cpp `validateID`), or undefined. */
export function idError(id: string): string | undefined {
  if (id.length === 0) return 'ID must not be empty';
  if (Buffer.byteLength(id) > 255) return 'ID must not be greater than 255 characters';
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  // Control characters, and both path separators: ids become directory names on the agent.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(id)) return `'${id}' contains invalid characters`;
  return undefined;
}

/** Nanoseconds since the epoch for `TimeInfo` (precision beyond 2^53 is lost, as in any JS client). */
export const nowNanos = (ms: number = Date.now()): number => ms * 1_000_000;

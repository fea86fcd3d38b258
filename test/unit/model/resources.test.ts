import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../src/mesos/types.js';
import { ResourcePool } from '../../../src/model/pool.js';
import {
  formatScalar,
  identityKey,
  reservationRole,
  sumScalarMilli,
  toMilli,
  usableByRole,
} from '../../../src/model/resources.js';

const scalar = (name: string, value: number, extra: Partial<Resource> = {}): Resource => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  ...extra,
});

describe('fixed-point scalars', () => {
  it('rounds like llround(v * 1000)', () => {
    expect(toMilli(0.1) + toMilli(0.2)).toBe(toMilli(0.3));
    expect(toMilli(0.0004)).toBe(0);
    expect(toMilli(0.0005)).toBe(1);
    expect(toMilli(-0.0005)).toBe(-1);
    expect(formatScalar(1.23456)).toBe('1.235');
    expect(formatScalar(2048)).toBe('2048');
  });

  it('sums scalars of one name', () => {
    expect(sumScalarMilli([scalar('cpus', 0.1), scalar('cpus', 0.2), scalar('mem', 5)], 'cpus')).toBe(300);
  });
});

describe('identity and reservations', () => {
  it('treats role "*" and no role alike, and separates allocation roles and reservations', () => {
    expect(identityKey(scalar('cpus', 1, { role: '*' }))).toBe(identityKey(scalar('cpus', 2)));
    expect(identityKey(scalar('cpus', 1, { allocation_info: { role: 'a' } }))).not.toBe(
      identityKey(scalar('cpus', 1, { allocation_info: { role: 'b' } })),
    );
    expect(identityKey(scalar('cpus', 1, { role: 'web' }))).not.toBe(identityKey(scalar('cpus', 1)));
  });

  it('reads the reserved role from both formats and lets sub-roles use it', () => {
    expect(reservationRole(scalar('cpus', 1, { role: 'web' }))).toBe('web');
    expect(
      reservationRole(
        scalar('cpus', 1, {
          reservations: [
            { type: 'STATIC', role: 'a' },
            { type: 'DYNAMIC', role: 'a/b' },
          ],
        }),
      ),
    ).toBe('a/b');
    expect(reservationRole(scalar('cpus', 1, { role: '*' }))).toBeUndefined();
    expect(usableByRole(scalar('cpus', 1, { role: 'web' }), 'web')).toBe(true);
    expect(usableByRole(scalar('cpus', 1, { role: 'web' }), 'web/x')).toBe(true);
    expect(usableByRole(scalar('cpus', 1, { role: 'web' }), 'db')).toBe(false);
    expect(usableByRole(scalar('cpus', 1), 'db')).toBe(true);
  });
});

describe('ResourcePool', () => {
  const offer: Resource[] = [
    scalar('cpus', 1, { role: '*', allocation_info: { role: 'web' } }),
    scalar('cpus', 0.5, { role: 'web', allocation_info: { role: 'web' } }),
    scalar('mem', 256, {
      reservations: [{ type: 'DYNAMIC', role: 'web', principal: 'ops' }],
      allocation_info: { role: 'web' },
    }),
    scalar('mem', 100, { allocation_info: { role: 'web' } }),
    {
      name: 'ports',
      type: 'RANGES',
      ranges: { range: [{ begin: 31000, end: 31002 }] },
      role: '*',
      allocation_info: { role: 'web' },
    },
    scalar('disk', 50, { disk: { persistence: { id: 'v' } } }),
    scalar('cpus', 8, { revocable: {} }),
  ];

  it('pools plain resources only, and counts what a role may use', () => {
    const pool = ResourcePool.from(offer);
    expect(pool.scalarMilli('cpus', 'web')).toBe(1500);
    expect(pool.scalarMilli('cpus', 'db')).toBe(1000);
    expect(pool.scalarMilli('disk', 'web')).toBe(0);
    expect(pool.rangesOf('ports', 'web')).toEqual([{ begin: 31000, end: 31002 }]);
  });

  it('cuts reserved resources first and copies role, reservations and allocation_info', () => {
    const pool = ResourcePool.from(offer);
    const cpus = pool.takeScalar('cpus', 1200, 'web');
    expect(cpus).toEqual([
      scalar('cpus', 0.5, { role: 'web', allocation_info: { role: 'web' } }),
      scalar('cpus', 0.7, { role: '*', allocation_info: { role: 'web' } }),
    ]);
    const mem = pool.takeScalar('mem', 300_000, 'web');
    expect(mem).toEqual([
      scalar('mem', 256, {
        reservations: [{ type: 'DYNAMIC', role: 'web', principal: 'ops' }],
        allocation_info: { role: 'web' },
      }),
      scalar('mem', 44, { allocation_info: { role: 'web' } }),
    ]);
    expect(pool.scalarMilli('cpus', 'web')).toBe(300);
    expect(pool.scalarMilli('mem', 'web')).toBe(56_000);
  });

  it('leaves the pool untouched when a request does not fit', () => {
    const pool = ResourcePool.from(offer);
    expect(pool.takeScalar('cpus', 1501, 'web')).toBeUndefined();
    expect(pool.takeValues('ports', [31000, 31003], 'web')).toBeUndefined();
    expect(pool.takeValues('ports', [31001, 31001], 'web')).toBeUndefined();
    expect(pool.scalarMilli('cpus', 'web')).toBe(1500);
    expect(pool.rangesOf('ports', 'web')).toEqual([{ begin: 31000, end: 31002 }]);
  });

  it('hands out each port once', () => {
    const pool = ResourcePool.from(offer);
    const first = pool.takeValues('ports', [31002, 31000], 'web');
    expect(first).toEqual([
      {
        name: 'ports',
        type: 'RANGES',
        role: '*',
        allocation_info: { role: 'web' },
        ranges: {
          range: [
            { begin: 31000, end: 31000 },
            { begin: 31002, end: 31002 },
          ],
        },
      },
    ]);
    expect(pool.takeValues('ports', [31000], 'web')).toBeUndefined();
    expect(pool.rangesOf('ports', 'web')).toEqual([{ begin: 31001, end: 31001 }]);
  });

  it('clones independently', () => {
    const pool = ResourcePool.from(offer);
    const copy = pool.clone();
    copy.takeScalar('cpus', 1000, 'web');
    expect(pool.scalarMilli('cpus', 'web')).toBe(1500);
    expect(copy.scalarMilli('cpus', 'web')).toBe(500);
  });
});

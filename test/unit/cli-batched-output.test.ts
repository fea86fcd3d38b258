import { describe, expect, it } from 'vitest';
import { createBatcher } from '../../src/cli/batched-output.js';

function recorder(log: string[], name: string) {
  return { write: (c: string) => log.push(`${name}:${c}`) };
}

describe('batched output', () => {
  it('writes what one turn queued once per run of a stream, in order, on the next turn', () => {
    const turns: Array<() => void> = [];
    const b = createBatcher((fn) => turns.push(fn));
    const log: string[] = [];
    const out = b.sink(recorder(log, 'out'));
    const err = b.sink(recorder(log, 'err'));
    out.write('a\n');
    out.write('b\n');
    err.write('oops\n');
    out.write('c\n');
    expect(log).toEqual([]);
    expect(turns).toHaveLength(1); // one flush scheduled per turn
    turns.shift()?.();
    expect(log).toEqual(['out:a\nb\n', 'err:oops\n', 'out:c\n']);
    out.write('d\n');
    expect(turns).toHaveLength(1);
    b.flush(); // e.g. at exit: nothing queued is lost
    expect(log.at(-1)).toBe('out:d\n');
    turns.shift()?.();
    expect(log).toHaveLength(4);
  });
});

import { describe, expect, it } from 'vitest';
import { parseDuration, resolveGlobals, UsageError } from '../../src/cli/options.js';

describe('parseDuration', () => {
  it.each([
    ['15s', 15],
    ['2m', 120],
    ['1h', 3600],
    ['1500ms', 1.5],
    ['4w', 2419200],
    ['3d', 259200],
    ['300', 300],
    ['0.5', 0.5],
  ])('%s is %d seconds', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', 'soon', '5 minutes', '-1s', '1y'])('refuses %j', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('resolveGlobals', () => {
  it('falls back to the environment, then to defaults', () => {
    const g = resolveGlobals(
      {},
      { MESOS_MASTER: 'http://m1:5050, http://m2:5050', MESOS_PRINCIPAL: 'ops', MESOS_SECRET: 's3' },
    );
    expect(g.masters).toEqual(['http://m1:5050', 'http://m2:5050']);
    expect(g.principal).toBe('ops');
    expect(g.secretFromEnv).toBe('s3');
    expect(g.framework).toBe('mesos-apply');
    expect(g.timeout).toBe(300);
    expect(g.output).toBe('text');
    expect(resolveGlobals({}, {}).masters).toEqual(['http://127.0.0.1:5050']);
  });

  it('prefers flags to the environment', () => {
    const g = resolveGlobals(
      { master: 'http://flag:5050', framework: 'ci' },
      { MESOS_MASTER: 'http://env:5050', MESOS_APPLY_FRAMEWORK: 'env' },
    );
    expect(g.masters).toEqual(['http://flag:5050']);
    expect(g.framework).toBe('ci');
  });

  it('turns colour off with NO_COLOR unless --color says otherwise', () => {
    expect(resolveGlobals({}, { NO_COLOR: '1' }).color).toBe(false);
    expect(resolveGlobals({}, {}).color).toBe(true);
    expect(resolveGlobals({ color: true }, { NO_COLOR: '1' }).color).toBe(true);
  });

  it('refuses bad values with a usage error', () => {
    expect(() => resolveGlobals({ output: 'xml' }, {})).toThrow(UsageError);
    expect(() => resolveGlobals({ timeout: '0' }, {})).toThrow(UsageError);
    expect(() => resolveGlobals({ master: ' , ' }, {})).toThrow(UsageError);
  });
});

import { describe, expect, it } from 'vitest';
import { createLog, formatLogLine, type LogEntry } from '../../../src/controller/log.js';

const T = Date.parse('2026-12-04T12:00:00.000Z');
const entry = (fields: Record<string, unknown>, over: Partial<LogEntry> = {}): LogEntry => ({
  time: T,
  level: 'info',
  event: 'relaunched',
  fields,
  ...over,
});

describe('text lines', () => {
  it('timestamp, level, event, then key=value; quoted only when needed', () => {
    expect(
      formatLogLine('text', entry({ task: 'web.0.1a2b3c4d5e.1', delay: '2s', failures: 3, leader: true, none: null })),
    ).toBe(
      '2026-12-04T12:00:00.000Z info relaunched task=web.0.1a2b3c4d5e.1 delay=2s failures=3 leader=true none=null\n',
    );
    expect(formatLogLine('text', entry({ message: 'no offer fits', empty: '', eq: 'a=b', q: 'say "hi"' }))).toBe(
      '2026-12-04T12:00:00.000Z info relaunched message="no offer fits" empty="" eq="a=b" q="say \\"hi\\""\n',
    );
  });

  it('objects and lists as compact JSON; errors by message; undefined fields left out', () => {
    const line = formatLogLine(
      'text',
      entry({ tasks: ['a', 'b'], at: { agent: 'S0' }, err: new Error('boom now'), skip: undefined }, { level: 'warn' }),
    );
    expect(line).toBe('2026-12-04T12:00:00.000Z warn relaunched tasks=["a","b"] at={"agent":"S0"} err="boom now"\n');
  });

  it('control characters cannot break the line or reach the terminal', () => {
    const hostile = 'ok\nFAKE 2026-01-01T00:00:00.000Z error forged\u001b[2J\u009b31m\u007f';
    const line = formatLogLine('text', entry({ message: hostile, 'bad key\n': 'x\u001bY' }, { event: 'ev\u001b' }));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(line).toContain('message="ok\\nFAKE 2026-01-01T00:00:00.000Z error forged\\u001b[2J\\u009b31m\\u007f"');
    expect(line).toContain('ev\\u001b');
    expect(line).toContain('bad_key_=x\\u001bY');
  });
});

describe('JSON lines', () => {
  it('one object per line with time, level, event and the fields', () => {
    const line = formatLogLine('json', entry({ task: 'web.0.x', failures: 2, tasks: ['a'] }, { level: 'error' }));
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      time: '2026-12-04T12:00:00.000Z',
      level: 'error',
      event: 'relaunched',
      task: 'web.0.x',
      failures: 2,
      tasks: ['a'],
    });
  });

  it('fields named time, level or event do not overwrite the entry', () => {
    const doc = JSON.parse(formatLogLine('json', entry({ time: 'forged', level: 'debug', event: 'x' })));
    expect(doc).toMatchObject({ time: '2026-12-04T12:00:00.000Z', level: 'info', event: 'relaunched' });
    expect(doc).toMatchObject({ 'field.time': 'forged', 'field.level': 'debug', 'field.event': 'x' });
  });

  it('stays one line of valid JSON with control characters, errors, bigints and cycles', () => {
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = cyc;
    const line = formatLogLine(
      'json',
      entry({ message: 'a\nb\u001b[0m\u009bc\u007f', err: new Error('x'), big: 10n, cyc }),
    );
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(JSON.parse(line)).toMatchObject({
      message: 'a\nb\u001b[0m\u009bc\u007f',
      err: 'x',
      big: '10',
      cyc: { a: 1, self: '[circular]' },
    });
  });
});

it('createLog writes one line per event with the injected clock, info by default', () => {
  const lines: string[] = [];
  let now = T;
  const log = createLog({ format: 'text', write: (l) => lines.push(l), now: () => now });
  log('started', { framework: 'prod' });
  now += 1500;
  log('leader-lost', {}, 'warn');
  expect(lines).toEqual([
    '2026-12-04T12:00:00.000Z info started framework=prod\n',
    '2026-12-04T12:00:01.500Z warn leader-lost\n',
  ]);
});

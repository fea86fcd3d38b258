/** Credentials echoed back by a master or proxy never reach an error's message, body or url. */
import { describe, expect, it } from 'vitest';
import {
  errorFromEventMessage,
  errorFromStatus,
  MesosError,
  redact,
  rememberCredentials,
} from '../../../src/mesos/errors.js';

const PRINCIPAL = 'ops';
const SECRET = 's3cr3t-Pa55';
const TOKEN = Buffer.from(`${PRINCIPAL}:${SECRET}`).toString('base64');

function leaks(text: string | undefined): string[] {
  return [SECRET, TOKEN, TOKEN.replace(/=+$/, ''), 'ZXhhbXBsZTpwYXNzd29yZA'].filter((s) => text?.includes(s));
}

describe('redacting credentials from errors', () => {
  it.each([
    [
      'a raw request echo',
      `POST /api/v1/scheduler HTTP/1.1\r\nHost: m:5050\r\nAuthorization: Basic ${TOKEN}\r\n\r\n{}`,
    ],
    ['a JSON echo', JSON.stringify({ headers: { authorization: `Basic ${TOKEN}` }, body: '{}' })],
    ['a JSON array echo', JSON.stringify({ headers: { Authorization: [`Basic ${TOKEN}`] } })],
    ['a proxy header', `proxy-authorization=Basic ${TOKEN}; more`],
    ['a bare token', `bad credentials Basic ${TOKEN} rejected`],
    ['another token (not ours)', 'authorization: Basic ZXhhbXBsZTpwYXNzd29yZA=='],
    ['a bearer token', 'Authorization: Bearer abc.def.ghi'],
  ])('removes the Basic token from %s, in message and body', (_what, body) => {
    const e = errorFromStatus(400, body, 'SUBSCRIBE');
    expect(leaks(e.message)).toEqual([]);
    expect(leaks(e.body)).toEqual([]);
    expect(e.message).toContain('[redacted]');
    expect(e.message).not.toContain('abc.def.ghi');
  });

  it('removes a registered secret and its base64 forms wherever they appear', () => {
    rememberCredentials(PRINCIPAL, SECRET);
    const body = `principal=${PRINCIPAL} secret=${SECRET} token=${TOKEN} again ${TOKEN.replace(/=+$/, '')}`;
    for (const e of [
      errorFromStatus(500, body, 'ACCEPT call'),
      errorFromStatus(403, body, 'ACCEPT call'),
      errorFromEventMessage(body, true),
      new MesosError('MA_ERR_HTTP', body, { body, hint: body, url: `http://${PRINCIPAL}:${SECRET}@m:5050/api` }),
    ]) {
      expect(leaks(e.message)).toEqual([]);
      expect(leaks(e.body)).toEqual([]);
      expect(leaks(e.hint)).toEqual([]);
      expect(leaks(e.url)).toEqual([]);
      expect(e.message).toContain(`principal=${PRINCIPAL}`);
    }
  });

  it('leaves ordinary text alone', () => {
    const text = 'Framework is not subscribed; offer 5 of agent a1 declined (Basic auth is disabled)';
    expect(redact(text)).toBe(text);
  });

  it("escapes a master's control characters in the message, on one line, cut when long", () => {
    const e = errorFromStatus(400, 'bad\u001b]0;owned\u0007 field\nsecond line', 'SUBSCRIBE');
    expect(e.message).toBe('SUBSCRIBE was refused (400): bad\\u001b]0;owned\\u0007 field second line');
    expect(e.body).toBe('bad\u001b]0;owned\u0007 field\nsecond line');
    const long = errorFromStatus(400, `${'x'.repeat(5000)}\n`, 'SUBSCRIBE');
    expect(long.message).toMatch(/^SUBSCRIBE was refused \(400\): x{299}…$/);
  });

  it("a master's 404 says the path is unknown, never that a task was garbage-collected", () => {
    const e = errorFromStatus(404, '', 'Operator call GET_TASKS', 'http://m:5050/api/v1');
    expect(e.code).toBe('MA_ERR_NOT_FOUND');
    expect(e.hint).toMatch(/--master/);
    expect(e.hint).not.toMatch(/garbage/);
  });
});

/**
 * Transport failures to MA_ERR_* codes (transport-errors.ts), fed undici's own error classes
 * and Node's system and TLS errors as they are thrown; and proxy settings from the
 * environment (proxy-env.ts).
 */
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { MesosError } from '../../../src/mesos/errors.js';
import { proxyFromEnv, proxyLabel } from '../../../src/mesos/proxy-env.js';
import { transportCode, transportError } from '../../../src/mesos/transport-errors.js';

const url = 'http://m1:5050/api/v1';

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:5050`), { code, syscall: 'connect' });
}

const map = (err: unknown, phase: 'request' | 'body' = 'request', proxy?: string) =>
  transportError(err, { url, phase, proxy });

describe('transport errors to MA_ERR_* codes', () => {
  it.each([
    ['UND_ERR_HEADERS_TIMEOUT', new errors.HeadersTimeoutError(), 'MA_ERR_TIMEOUT'],
    ['UND_ERR_BODY_TIMEOUT', new errors.BodyTimeoutError(), 'MA_ERR_TIMEOUT'],
    ['UND_ERR_CONNECT_TIMEOUT', new errors.ConnectTimeoutError(), 'MA_ERR_CONNECT'],
    ['UND_ERR_SOCKET', new errors.SocketError('other side closed'), 'MA_ERR_CONNECT'],
    [
      'UND_ERR_ABORTED',
      new errors.RequestAbortedError('Proxy response (403) !== 200 when HTTP Tunneling'),
      'MA_ERR_CONNECT',
    ],
    ['UND_ERR_INVALID_ARG', new errors.InvalidArgumentError('Proxy Authentication Required (407)'), 'MA_ERR_CONNECT'],
    ['UND_ERR_DESTROYED', new errors.ClientDestroyedError(), 'MA_ERR_CLOSED'],
    ['UND_ERR_CLOSED', new errors.ClientClosedError(), 'MA_ERR_CLOSED'],
    ['UND_ERR_HEADERS_OVERFLOW', new errors.HeadersOverflowError(), 'MA_ERR_BAD_RESPONSE'],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', new errors.ResponseContentLengthMismatchError(), 'MA_ERR_BAD_RESPONSE'],
    ['UND_ERR_RES_EXCEEDED_MAX_SIZE', new errors.ResponseExceededMaxSizeError(), 'MA_ERR_BAD_RESPONSE'],
    ['HPE_INVALID_CONSTANT', new errors.HTTPParserError('Expected HTTP/', 'INVALID_CONSTANT'), 'MA_ERR_BAD_RESPONSE'],
    [
      'UND_ERR_PRX_TLS',
      new errors.SecureProxyConnectionError(systemError('ERR_TLS_CERT_ALTNAME_INVALID')),
      'MA_ERR_CONNECT',
    ],
    ['ECONNREFUSED', systemError('ECONNREFUSED'), 'MA_ERR_CONNECT'],
    ['ECONNRESET', systemError('ECONNRESET'), 'MA_ERR_CONNECT'],
    ['ENOTFOUND', systemError('ENOTFOUND'), 'MA_ERR_CONNECT'],
    ['EAI_AGAIN', systemError('EAI_AGAIN'), 'MA_ERR_CONNECT'],
    ['EHOSTUNREACH', systemError('EHOSTUNREACH'), 'MA_ERR_CONNECT'],
    ['ETIMEDOUT', systemError('ETIMEDOUT'), 'MA_ERR_CONNECT'],
    ['EPIPE', systemError('EPIPE'), 'MA_ERR_CONNECT'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', systemError('DEPTH_ZERO_SELF_SIGNED_CERT'), 'MA_ERR_CONNECT'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', systemError('ERR_SSL_WRONG_VERSION_NUMBER'), 'MA_ERR_CONNECT'],
  ])('%s → %s', (code, err, expected) => {
    expect(transportCode(err)).toBe(code);
    const mapped = map(err);
    expect(mapped).toBeInstanceOf(MesosError);
    expect(mapped).toMatchObject({ code: expected, url, cause: err });
    expect(mapped.message).toContain(url);
  });

  it('a parser error without an HPE_ code is still a bad response', () => {
    expect(map(new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol'))).toMatchObject({
      code: 'MA_ERR_BAD_RESPONSE',
    });
  });

  it('every error comes out under an MA_ERR_* code, whatever was thrown', () => {
    const odd = [new Error('boom'), new TypeError('x is not a function'), 'a string', undefined, null, { code: 42 }];
    for (const err of odd) expect(map(err).code).toMatch(/^MA_ERR_/);
    for (const err of odd) expect(map(err, 'body').code).toMatch(/^MA_ERR_/);
  });

  it('says what to do about TLS: an untrusted certificate, or the wrong scheme', () => {
    expect(map(systemError('UNABLE_TO_VERIFY_LEAF_SIGNATURE')).hint).toMatch(/--ca-file/);
    expect(map(systemError('CERT_HAS_EXPIRED')).hint).toMatch(/--ca-file/);
    expect(map(systemError('ERR_SSL_WRONG_VERSION_NUMBER')).hint).toMatch(/http:\/\/ for one that does not/);
  });

  it('looks through causes and the AggregateError of a dual-stack connect', () => {
    const aggregate = new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], 'connect failed');
    expect(map(aggregate)).toMatchObject({ code: 'MA_ERR_CONNECT', message: `Cannot reach ${url}: ECONNREFUSED` });
    const wrapped = new Error('fetch failed', { cause: systemError('ENOTFOUND') });
    expect(transportCode(wrapped)).toBe('ENOTFOUND');
  });

  it('a break while the body is read says so; a caller abort is MA_ERR_CLOSED; MesosErrors pass unchanged', () => {
    expect(map(new errors.SocketError('other side closed'), 'body').message).toMatch(/broke while reading the answer/);
    const abort = new AbortController();
    abort.abort();
    expect(map(abort.signal.reason).code).toBe('MA_ERR_CLOSED');
    const own = new MesosError('MA_ERR_BAD_RESPONSE', 'too large');
    expect(map(own)).toBe(own);
  });

  it('names the proxy when one was configured, and only then', () => {
    expect(map(systemError('ECONNREFUSED'), 'request', 'http://proxy:3128').hint).toMatch(
      /proxy http:\/\/proxy:3128.*NO_PROXY/,
    );
    expect(map(systemError('ECONNREFUSED')).hint).not.toMatch(/proxy/);
  });

  it("an agent that cannot be reached is not a master's problem", () => {
    const err = transportError(systemError('ECONNREFUSED'), { url, phase: 'request', peer: 'agent' });
    expect(err.hint).toMatch(/agents' own HTTP endpoints/);
  });
});

describe('proxy settings from the environment', () => {
  it('reads both spellings, the lowercase one first; https falls back to the http proxy', () => {
    expect(proxyFromEnv({})).toEqual({});
    expect(proxyFromEnv({ HTTP_PROXY: 'http://up:1', http_proxy: 'http://low:2', NO_PROXY: 'a,b' })).toEqual({
      httpProxy: 'http://low:2',
      httpsProxy: 'http://low:2',
      noProxy: 'a,b',
    });
    expect(proxyFromEnv({ HTTPS_PROXY: 'https://s:3', no_proxy: '*', NO_PROXY: 'x' })).toEqual({
      httpsProxy: 'https://s:3',
      noProxy: '*',
    });
    expect(proxyFromEnv({ http_proxy: '', HTTP_PROXY: ' ' })).toEqual({});
  });

  it('a bare host:port is an http proxy; anything else that is not http(s) fails before anything is sent', () => {
    expect(proxyFromEnv({ HTTP_PROXY: 'proxy.corp:3128' }).httpProxy).toBe('http://proxy.corp:3128');
    for (const bad of ['socks5://p:1080', 'http://', 'ftp://p:21']) {
      expect(() => proxyFromEnv({ HTTPS_PROXY: bad })).toThrow(
        expect.objectContaining({ code: 'MA_ERR_PROXY_CONFIG' }),
      );
    }
  });

  it("never names a proxy's credentials", () => {
    expect(proxyLabel('http://user:s3cret@proxy:3128/x')).toBe('http://proxy:3128');
    const err = (() => {
      try {
        proxyFromEnv({ HTTPS_PROXY: 'ftp://user:s3cret@p:21' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).not.toContain('s3cret');
  });
});

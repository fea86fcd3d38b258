/**
 * Proxy settings from the environment, read as curl and undici read them: `http_proxy` for
 * http:// masters and agents, `https_proxy` for https:// ones (the http proxy when it is
 * unset), `no_proxy` for hosts reached directly: a comma- or space-separated list of host
 * names (each also matching its subdomains, `.example.com` and `*.example.com` alike),
 * `host:port` entries, or `*` for every host. The lowercase name wins over the uppercase one.
 *
 * Invariants: a proxy URL is checked here, once, so a bad one fails before anything is sent
 * (MA_ERR_PROXY_CONFIG); a bare `host:port` means `http://host:port`, as curl reads it. A
 * proxy's credentials never reach a message or the trace log: name a proxy with proxyLabel().
 */
import { MesosError } from './errors.js';

export interface ProxySettings {
  /** Proxy for http:// targets. */
  httpProxy?: string;
  /** Proxy for https:// targets (tunnelled with CONNECT). */
  httpsProxy?: string;
  /** Hosts reached without a proxy, in NO_PROXY's syntax. */
  noProxy?: string;
}

/** The proxy settings of an environment (see the file comment for the rules). */
export function proxyFromEnv(env: Record<string, string | undefined>): ProxySettings {
  const read = (name: string): string | undefined => {
    const value = (env[name] || env[name.toUpperCase()] || '').trim();
    return value === '' ? undefined : value;
  };
  const out: ProxySettings = {};
  const http = read('http_proxy');
  const https = read('https_proxy') ?? http;
  const noProxy = read('no_proxy');
  if (http !== undefined) out.httpProxy = checkedProxyUrl(http, 'HTTP_PROXY');
  if (https !== undefined) out.httpsProxy = checkedProxyUrl(https, https === http ? 'HTTP_PROXY' : 'HTTPS_PROXY');
  if (noProxy !== undefined) out.noProxy = noProxy;
  return out;
}

/** The proxy configured for a scheme, if any (whether NO_PROXY exempts a host is undici's call). */
export function proxyOf(settings: ProxySettings, protocol: string): string | undefined {
  return protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
}

/** `scheme://host:port` of a proxy URL: no credentials, no path. */
export function proxyLabel(proxy: string): string {
  try {
    const u = new URL(proxy);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(unparseable proxy URL)';
  }
}

function checkedProxyUrl(raw: string, variable: string): string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new MesosError(
      'MA_ERR_PROXY_CONFIG',
      `${variable} is not a proxy URL mesos-apply can use: '${proxyLabel(text)}'`,
    );
  }
  return text;
}

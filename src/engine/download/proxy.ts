// Which proxy a download goes through. The CLI follows the usual environment variables
// (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, via proxy-from-env); the extension passes VS Code's
// `http.proxy` setting explicitly (still honouring NO_PROXY). One undici ProxyAgent per proxy
// URL is kept and reused, so connections to the proxy are pooled.
import { getProxyForUrl } from 'proxy-from-env';
import { ProxyAgent, type Dispatcher } from 'undici';

export type DispatcherFor = (url: URL) => Dispatcher | undefined;

export interface ProxyOptions {
  /** An explicit proxy (VS Code's http.proxy); when absent the environment decides. */
  proxyUrl?: string;
  /** Verify the proxy's and the server's TLS certificates (VS Code's http.proxyStrictSSL). Default true. */
  strictSSL?: boolean;
}

/**
 * NO_PROXY matching for an explicit proxy, with the same rules proxy-from-env applies to the
 * environment's proxies: entries separated by commas or spaces, `*` for every host, an optional
 * `:port`, and a leading `.` or `*.` (or a plain name) also covering subdomains.
 */
export function excludedByNoProxy(url: URL, noProxy = process.env.NO_PROXY ?? process.env.no_proxy ?? ''): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return noProxy.split(/[,\s]+/).filter(Boolean).some((entry) => {
    if (entry === '*') return true;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase())!;
    if (m[2] && Number(m[2]) !== port) return false;
    const name = m[1]!.replace(/^\*/, '').replace(/^\[|\]$/g, '');
    if (name.startsWith('.')) return host.endsWith(name);
    return host === name || host.endsWith('.' + name);
  });
}

export class ProxyResolver {
  private readonly agents = new Map<string, ProxyAgent>();

  constructor(private readonly opts: ProxyOptions = {}) {}

  /** The proxy URL for `url`, or undefined for a direct connection. */
  proxyFor(url: URL): string | undefined {
    if (this.opts.proxyUrl) return excludedByNoProxy(url) ? undefined : this.opts.proxyUrl;
    return getProxyForUrl(url.href) || undefined;
  }

  readonly dispatcherFor: DispatcherFor = (url) => {
    const proxy = this.proxyFor(url);
    if (!proxy) return undefined;
    let agent = this.agents.get(proxy);
    if (!agent) {
      const tls = this.opts.strictSSL === false ? { rejectUnauthorized: false } : undefined;
      agent = new ProxyAgent({ uri: proxy, ...(tls ? { requestTls: tls, proxyTls: tls } : {}) });
      this.agents.set(proxy, agent);
    }
    return agent;
  };

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    this.agents.clear();
  }
}

import type { FastifyInstance, InjectOptions, LightMyRequestResponse as Response } from 'fastify';

/**
 * A browser of the admin through `inject()`: it keeps cookies, remembers the CSRF token
 * of the last page it saw, and sends forms as a browser does.
 */
export class AdminClient {
  #server: FastifyInstance;
  readonly cookies = new Map<string, string>();
  csrf = '';
  ip: string;
  headers: Record<string, string>;

  constructor(server: FastifyInstance, options: { ip?: string; headers?: Record<string, string> } = {}) {
    this.#server = server;
    this.ip = options.ip ?? '198.51.100.7';
    this.headers = options.headers ?? {};
  }

  async get(url: string): Promise<Response> {
    return this.request({ method: 'GET', url });
  }

  /** Posts a form with the remembered CSRF token (or `_csrf` as given, or none with `_csrf: null`). */
  async post(url: string, fields: Record<string, string | null> = {}): Promise<Response> {
    const withToken: Record<string, string> = { _csrf: this.csrf };
    for (const [k, v] of Object.entries(fields)) {
      if (v === null) delete withToken[k];
      else withToken[k] = v;
    }
    return this.request({
      method: 'POST',
      url,
      payload: new URLSearchParams(withToken).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  async request(options: InjectOptions): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.#server.inject({
      remoteAddress: this.ip,
      ...options,
      headers: { ...this.headers, ...(cookie ? { cookie } : {}), ...(options.headers as Record<string, string>) },
    });
    for (const c of res.cookies as { name: string; value: string; expires?: Date }[]) {
      // A cleared cookie is empty or dated 1970 (the app's clock may be far from the real one).
      if (c.value === '' || (c.expires && c.expires.getTime() < 86_400_000)) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
    if (token) this.csrf = token;
    return res;
  }

  /**
   * Signs in through the login form; returns the response to the form, after following
   * its redirect as a browser would (which shows the form token of the new session).
   */
  async signIn(email: string, password: string): Promise<Response> {
    await this.get('/admin/login');
    const res = await this.post('/admin/login', { email, password });
    if (res.statusCode === 303) await this.get(res.headers.location as string);
    return res;
  }
}

/** The text of an element's error message next to a field, as a person reads it. */
export function fieldError(body: string, id: string): string | undefined {
  return new RegExp(`id="${id}-error">([^<]*)<`).exec(body)?.[1];
}

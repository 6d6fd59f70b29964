/**
 * The HTTP app of `precopy serve`: the explorer page (static files) and the JSON API. Built with hono so it
 * can be tested in-process with `app.request()`.
 *
 * Rules: POST bodies must be JSON (`Content-Type: application/json`; this also makes a cross-site form post
 * impossible without a CORS preflight, which the server never grants) and at most `maxBodyBytes` long; every
 * 4xx answer is `{"error": {"code", "message", "issues": [...]}}`.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { jsonDepth, MAX_JSON_DEPTH } from '../format/json.js';
import { OPERATIONS } from '../ops/index.js';
import { errorBody } from './api.js';
import type { HeavyRunner } from './heavy.js';
import { openApiDocument } from './openapi.js';
import { ROUTES } from './routes.js';
import { staticResponse } from './static.js';

export interface AppOptions {
  /** Directory of the built explorer (dist/web). Without it only the API is served. */
  readonly staticDir?: string;
  /** Largest accepted request body, bytes (default 64 KiB). */
  readonly maxBodyBytes?: number;
  /**
   * Host names the `Host` header may carry (lower case, without port); others get 403. `startServer` sets the
   * loopback names when it binds a loopback address, so a web page cannot reach the server through a DNS name
   * it re-points at 127.0.0.1 (DNS rebinding). Undefined: any host.
   */
  readonly allowedHosts?: readonly string[];
  /**
   * Runs the routes of heavy operations (the registry's `heavy` flag) in worker threads with a cap and a time
   * budget (./heavy.ts). `startServer` always gives one; without it (in-process tests) they run inline.
   */
  readonly heavy?: HeavyRunner;
}

/** The names of this machine's loopback interface. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]', '::1'];

/** The host name of a Host header, lower case, without the port. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d+$/, '');
}

/** The version in the OpenAPI document: the package's (kept in step by test/server/openapi.test.ts). */
export const API_VERSION = '0.1.0';

/** Deepest request body accepted (arrays and objects); real inputs nest fewer than 5 levels. */
export const MAX_BODY_DEPTH = MAX_JSON_DEPTH;

/** Largest request body accepted by default: 64 KiB, far above any real input. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Routes whose operation the registry marks heavy: off the event loop when the app has a HeavyRunner. */
export const HEAVY_ROUTES: ReadonlySet<string> = new Set(OPERATIONS.filter((o) => o.heavy).map((o) => o.name));

/**
 * The app: `POST /api/predict|optimize|sweep|simulate|fleet/predict|fleet/plan`, JSON errors for everything else under `/api/`, and the page's
 * static files. Test it in-process with `createApp().request(path, init)`.
 */
export function createApp(options: AppOptions = {}): Hono {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new Hono();

  app.use('*', async (c, next) => {
    const allowed = options.allowedHosts;
    if (allowed && !allowed.includes(hostName(c.req.header('host') ?? ''))) {
      return c.json(
        errorBody('forbidden_host', [
          {
            code: 'forbidden_host',
            path: [],
            value: c.req.header('host') ?? '',
            message: `requests must be addressed to ${allowed[0]} (this server listens on a loopback address only)`,
          },
        ]),
        403,
      );
    }
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
  });

  for (const [name, handler] of Object.entries(ROUTES)) {
    app.post(
      `/api/${name}`,
      bodyLimit({
        maxSize: maxBodyBytes,
        onError: (c) =>
          c.json(
            errorBody('body_too_large', [
              {
                code: 'body_too_large',
                path: [],
                message: `the request body is larger than ${maxBodyBytes} bytes`,
              },
            ]),
            413,
          ),
      }),
      async (c) => {
        const type = c.req.header('content-type') ?? '';
        if (!/^application\/json\b/i.test(type)) {
          return c.json(
            errorBody('unsupported_media_type', [
              {
                code: 'unsupported_media_type',
                path: [],
                value: type,
                message: `the request body must be JSON sent with Content-Type: application/json (got '${type}')`,
              },
            ]),
            415,
          );
        }
        const text = await c.req.text();
        // Depth first, by one scan: a body nested thousands deep made the schema walk overflow the stack and
        // the server answer a plain-text 500.
        if (jsonDepth(text, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
          return c.json(
            errorBody('invalid_json', [
              {
                code: 'too_deep',
                path: [],
                message: `the request body nests deeper than ${MAX_BODY_DEPTH} levels of arrays and objects`,
              },
            ]),
            400,
          );
        }
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (e) {
          const detail = e instanceof Error ? e.message : String(e);
          return c.json(
            errorBody('invalid_json', [
              { code: 'invalid_json', path: [], message: `the request body is not valid JSON: ${detail}` },
            ]),
            400,
          );
        }
        if (options.heavy && HEAVY_ROUTES.has(name)) {
          const answer = await options.heavy.run(name, body);
          if (answer.json) {
            return c.body(answer.json as Uint8Array<ArrayBuffer>, answer.status as 200, {
              'Content-Type': 'application/json',
            });
          }
          return c.json(answer.body as object, answer.status as 200);
        }
        const result = await handler(body);
        return c.json(result.body as object, result.status);
      },
    );
  }

  let openApi: object | undefined;
  app.get('/api/openapi.json', (c) => {
    openApi ??= openApiDocument(API_VERSION);
    return c.json(openApi);
  });

  app.all('/api/*', (c) => {
    const name = c.req.path.replace(/^\/api\//, '');
    if (name in ROUTES) {
      c.header('Allow', 'POST');
      return c.json(
        errorBody('method_not_allowed', [
          { code: 'method_not_allowed', path: [], message: `${c.req.method} ${c.req.path}: use POST with a JSON body` },
        ]),
        405,
      );
    }
    return c.json(
      errorBody('not_found', [
        {
          code: 'not_found',
          path: [],
          message: `no API endpoint ${c.req.path}: expected /api/predict, /api/optimize, /api/sweep, /api/simulate or /api/openapi.json`,
        },
      ]),
      404,
    );
  });

  app.get('*', async (c) => {
    if (!options.staticDir) return c.text('precopy API: POST /api/predict, /api/optimize, /api/sweep, /api/simulate\n');
    const file = await staticResponse(options.staticDir, c.req.path, c.req.header('Accept-Encoding'));
    if (!file) return c.text('not found\n', 404);
    for (const [k, v] of Object.entries(file.headers)) c.header(k, v);
    return c.body(file.body as Uint8Array<ArrayBuffer>);
  });

  return app;
}

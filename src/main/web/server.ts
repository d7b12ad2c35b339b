import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { ApiEvent, Response } from '../../shared/api.js';
import { dispatch, type Handler } from '../api/dispatch.js';
import {
  contentSecurityPolicy,
  hostAllowed,
  isLoopbackHost,
  newToken,
  originAllowed,
  tokensEqual,
} from './security.js';
import { readStatic } from './static-files.js';

/** What the server needs of the router: requests in, events out. */
export interface ApiEndpoint extends Handler {
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

export interface ServerOptions {
  router: ApiEndpoint;
  /** 127.0.0.1 unless given; any other address requires a token. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Required (and generated when absent) on a non-loopback host. */
  token?: string;
  /** The built renderer (out/renderer). */
  staticDir: string;
}

export interface WebServer {
  /** Open this in a browser; it carries the token when one is required. */
  url: string;
  host: string;
  port: number;
  token: string | null;
  close(): Promise<void>;
}

export const API_PATH = '/api';
/**
 * Frames above this close the socket (ws answers 1009). Messages between the
 * dispatch limit (1 MB) and this one get an error reply and the socket stays.
 */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** A slow client stops getting progress events, not the events that change state. */
const MAX_BUFFERED_FOR_PROGRESS = 4 * 1024 * 1024;
const MIN_TOKEN_LENGTH = 16;

export async function startServer(opts: ServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  if (opts.token !== undefined && opts.token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`token must have at least ${MIN_TOKEN_LENGTH} characters (got ${opts.token.length})`);
  }
  const token = opts.token ?? (loopback ? null : newToken());
  let port = opts.port ?? 0;
  // Cookies are per host, not per port: two servers on one machine must not share one.
  const cookieName = () => `gan_focus_token_${port}`;

  const authorised = (req: IncomingMessage, url: URL, allowCookie: boolean): boolean => {
    if (token === null) return true;
    if (tokensEqual(url.searchParams.get('token'), token)) return true;
    return allowCookie && tokensEqual(readCookie(req.headers.cookie, cookieName()), token);
  };

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, loopback, port)) return plain(res, 400, 'unexpected Host header');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'only GET is served here');
    const url = new URL(req.url ?? '/', 'http://placeholder');
    // The page URL carries the token; its assets are fetched with the cookie it sets.
    if (!authorised(req, url, true)) return plain(res, 401, 'this server needs the token printed in its URL (?token=...)');
    if (url.pathname === API_PATH) return plain(res, 426, 'the API is a WebSocket endpoint');
    const file = await readStatic(opts.staticDir, url.pathname);
    if (!file) {
      const built = url.pathname === '/' ? 'the renderer is not built; run `npm run build`' : 'not found';
      return plain(res, url.pathname === '/' ? 503 : 404, built);
    }
    const headers: Record<string, string> = {
      'Content-Type': file.contentType,
      'Content-Security-Policy': contentSecurityPolicy({ connect: [`ws://${req.headers.host}`] }),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
    };
    if (token !== null && url.searchParams.has('token')) {
      headers['Set-Cookie'] = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== API_PATH) return refuse(404, 'Not Found');
    if (!hostAllowed(req.headers.host, loopback, port)) return refuse(400, 'Bad Request');
    if (!originAllowed(req.headers.origin, req.headers.host as string)) return refuse(403, 'Forbidden');
    if (!authorised(req, url, false)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, opts.router));
  });

  const unsubscribe = opts.router.onEvent((event) => {
    const text = JSON.stringify({ event });
    for (const ws of wss.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (event.type === 'progress' && ws.bufferedAmount > MAX_BUFFERED_FOR_PROGRESS) continue;
      ws.send(text);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('server has no TCP address');
  port = addr.port;

  const shownHost = host === '0.0.0.0' || host === '::' ? hostname() : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/${token ? `?token=${token}` : ''}`;

  let closed: Promise<void> | null = null;
  return {
    url,
    host,
    port,
    token,
    close() {
      closed ??= new Promise<void>((resolve) => {
        unsubscribe();
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

function serveSocket(ws: WebSocket, handler: Handler): void {
  const reply = (r: Response) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(r));
  };
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) {
      reply({ id: null, ok: false, error: { code: 'bad_request', message: 'binary messages are not accepted; send JSON text' } });
      return;
    }
    // binaryType is the default 'nodebuffer', so a text message arrives as one Buffer.
    const text = (data as Buffer).toString('utf8');
    void dispatch(handler, text).then(reply);
  });
  ws.on('error', () => ws.terminate());
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'",
  });
  res.end(text);
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

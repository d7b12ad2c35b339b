import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRouter } from '../api/router.js';
import { startServer } from './server.js';

export interface ServeOptions {
  home: string;
  host?: string;
  port?: number;
  token?: string;
  /** The built renderer; found next to the build or in out/renderer of the project by default. */
  staticDir?: string;
}

export interface Serving {
  url: string;
  close(): Promise<void>;
}

/** The renderer build, from a bundle (out/main/*.js) or from the sources (src/main/web/*.ts). */
export function findRendererBuild(): string | null {
  const candidates = [new URL('../renderer/', import.meta.url), new URL('../../../out/renderer/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(`${dir}index.html`)) return dir.replace(/[\\/]$/, '');
  }
  return null;
}

/** `gan-focus serve`: the router over one home folder, behind the web server. */
export async function serve(opts: ServeOptions): Promise<Serving> {
  const staticDir = opts.staticDir ?? findRendererBuild();
  if (staticDir === null) throw new Error('the renderer is not built (no out/renderer/index.html); run `npm run build` first');
  const router = createRouter({ home: opts.home });
  try {
    const server = await startServer({ router, host: opts.host, port: opts.port, token: opts.token, staticDir });
    return {
      url: server.url,
      async close() {
        await server.close();
        router.close();
      },
    };
  } catch (err) {
    router.close();
    throw err;
  }
}

// Hash routes: the renderer is served as one file (from disk in Electron, from
// `serve` in a browser), so the address after '#' is the only place to put them.
// Explain, Review and Compare also carry the explain selection (cam-selection.ts),
// so an address restores it.
import { camQueryPairs, parseCamQuery, type CamQuery } from './cam-selection.js';

export type Route =
  | { name: 'runs' }
  | { name: 'new'; from?: number }
  | { name: 'run'; id: number }
  | { name: 'explain'; id: number; cam?: CamQuery }
  | { name: 'review'; id: number; epoch?: number; cam?: CamQuery }
  | { name: 'compare'; ids: number[]; cam?: CamQuery }
  | { name: 'study'; id: number }
  /** An address that names no page: shown as such, never silently as the runs list. */
  | { name: 'notFound'; path: string };

const positive = (s: string | undefined): number | undefined => {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 ? n : undefined;
};

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const q = new URLSearchParams(query);
  const id = positive(parts[1]);
  const notFound: Route = { name: 'notFound', path: `/${parts.join('/')}` };
  const cam = parseCamQuery(q);
  const withCam = <R extends Route>(r: R): R => (cam ? { ...r, cam } : r);
  switch (parts[0]) {
    case undefined:
      return { name: 'runs' };
    case 'runs':
      return parts.length === 1 ? { name: 'runs' } : notFound;
    case 'new': {
      if (parts.length > 1) return notFound;
      const from = positive(q.get('from') ?? undefined);
      return from ? { name: 'new', from } : { name: 'new' };
    }
    case 'run':
      if (id === undefined || parts.length > 3) return notFound;
      if (parts[2] === undefined) return { name: 'run', id };
      if (parts[2] === 'explain') return withCam({ name: 'explain', id });
      if (parts[2] === 'review') {
        const epoch = positive(q.get('epoch') ?? undefined);
        return withCam(epoch ? { name: 'review', id, epoch } : { name: 'review', id });
      }
      return notFound;
    case 'study':
      return id !== undefined && parts.length === 2 ? { name: 'study', id } : notFound;
    case 'compare': {
      if (parts.length > 1) return notFound;
      const ids = (q.get('ids') ?? '').split(',').map((s) => positive(s)).filter((n): n is number => n !== undefined);
      return withCam({ name: 'compare', ids: [...new Set(ids)] });
    }
  }
  return notFound;
}

/** `?a=1&b=2` of the pairs (none: ''); commas are kept readable. */
function query(pairs: [string, string][]): string {
  return pairs.length ? `?${new URLSearchParams(pairs).toString().replace(/%2C/g, ',')}` : '';
}

export function formatRoute(r: Route): string {
  switch (r.name) {
    case 'runs':
      return '#/runs';
    case 'new':
      return r.from ? `#/new?from=${r.from}` : '#/new';
    case 'run':
      return `#/run/${r.id}`;
    case 'explain':
      return `#/run/${r.id}/explain${query(camQueryPairs(r.cam))}`;
    case 'review':
      return `#/run/${r.id}/review${query([...(r.epoch ? [['epoch', String(r.epoch)] as [string, string]] : []), ...camQueryPairs(r.cam)])}`;
    case 'compare':
      return `#/compare${query([...(r.ids.length ? [['ids', r.ids.join(',')] as [string, string]] : []), ...camQueryPairs(r.cam)])}`;
    case 'study':
      return `#/study/${r.id}`;
    case 'notFound':
      return `#${r.path}`;
  }
}

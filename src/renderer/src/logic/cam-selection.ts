// The one explain selection (CAM layer, method, target and focus settings)
// that Explain, Review, Compare and reports share, and its form in the address
// (#/run/3/explain?layer=block3&method=hirescam&threshold=0.7).
import { CAM_METHODS, CAM_TARGETS, DEFAULT_CAM_METHOD, type CamMethod, type CamTarget } from '../../../shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS, type FocusSettings } from '../../../shared/focus-settings.js';

export interface CamSelection {
  /** Empty: each run's default layer (it differs by architecture). */
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  settings: FocusSettings;
}

/** What an address holds: only the parts it names. */
export type CamQuery = { layers?: readonly string[]; method?: CamMethod; target?: CamTarget; settings?: Partial<FocusSettings> };

export const DEFAULT_SELECTION: Readonly<CamSelection> = Object.freeze({
  layers: [],
  method: DEFAULT_CAM_METHOD,
  target: 'real',
  settings: { ...DEFAULT_FOCUS_SETTINGS },
});

const LAYER = /^[A-Za-z0-9_]{1,100}$/;

/** The query keys of the focus settings; threshold is always written, the others when they differ from the default. */
const SETTING_KEYS = { threshold: 'threshold', maskLevel: 'mask', dilation: 'dilation', camLevel: 'camLevel' } as const satisfies Record<keyof FocusSettings, string>;

function fraction(v: string | null): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return n >= 0 && n <= 1 ? n : undefined;
}

/** Reads the selection from an address's query; values out of range or unknown are left out (the current choice stays). */
export function parseCamQuery(q: URLSearchParams): CamQuery | undefined {
  const out: CamQuery = {};
  const layers = q.get('layer')?.split(',').filter((l) => l !== '');
  if (layers?.length && layers.length <= 8 && layers.every((l) => LAYER.test(l))) out.layers = layers;
  const method = q.get('method');
  if ((CAM_METHODS as readonly (string | null)[]).includes(method)) out.method = method as CamMethod;
  const target = q.get('target');
  if ((CAM_TARGETS as readonly (string | null)[]).includes(target)) out.target = target as CamTarget;
  const settings: Partial<FocusSettings> = {};
  for (const key of ['threshold', 'maskLevel', 'camLevel'] as const) {
    const v = fraction(q.get(SETTING_KEYS[key]));
    if (v !== undefined) settings[key] = v;
  }
  const dilation = q.get(SETTING_KEYS.dilation);
  if (dilation !== null && /^\d{1,2}$/.test(dilation) && Number(dilation) <= 16) settings.dilation = Number(dilation);
  if (Object.keys(settings).length) out.settings = settings;
  return Object.keys(out).length ? out : undefined;
}

/** The query pairs of a (partial) selection, in a fixed order. */
export function camQueryPairs(c: CamQuery | undefined): [string, string][] {
  if (!c) return [];
  const pairs: [string, string][] = [];
  if (c.layers?.length) pairs.push(['layer', c.layers.join(',')]);
  if (c.method) pairs.push(['method', c.method]);
  if (c.target) pairs.push(['target', c.target]);
  for (const key of ['threshold', 'maskLevel', 'dilation', 'camLevel'] as const) {
    const v = c.settings?.[key];
    if (v !== undefined) pairs.push([SETTING_KEYS[key], String(v)]);
  }
  return pairs;
}

/** A full selection from an address: what it names, the defaults for the rest. */
export function selectionOf(q: CamQuery): CamSelection {
  return {
    layers: [...(q.layers ?? [])],
    method: q.method ?? DEFAULT_SELECTION.method,
    target: q.target ?? DEFAULT_SELECTION.target,
    settings: { ...DEFAULT_FOCUS_SETTINGS, ...q.settings },
  };
}

/** What the address shows of a selection: layer when chosen, method, target, threshold, and any other setting off its default. */
export function queryOf(sel: CamSelection): CamQuery {
  const settings: Partial<FocusSettings> = { threshold: sel.settings.threshold };
  for (const key of ['maskLevel', 'dilation', 'camLevel'] as const) if (sel.settings[key] !== DEFAULT_FOCUS_SETTINGS[key]) settings[key] = sel.settings[key];
  return { ...(sel.layers.length ? { layers: [...sel.layers] } : {}), method: sel.method, target: sel.target, settings };
}

/** The API params of a selection (layers left to the router when none is chosen). */
export function selectionParams(sel: CamSelection): { layers?: string[]; method: CamMethod; target: CamTarget; settings: FocusSettings } {
  return { ...(sel.layers.length ? { layers: [...sel.layers] } : {}), method: sel.method, target: sel.target, settings: { ...sel.settings } };
}

export function sameSelection(a: CamSelection, b: CamSelection): boolean {
  return JSON.stringify(queryOf(a)) === JSON.stringify(queryOf(b));
}

/** "block2 · hirescam · threshold 70 %" (target and other settings only when not the default). */
export function describeSelection(sel: { layers: string[]; method: CamMethod; target: CamTarget; settings: FocusSettings }, defaultLayer = 'default layer'): string {
  const parts = [sel.layers.length ? sel.layers.join(' + ') : defaultLayer, sel.method];
  if (sel.target !== 'real') parts.push(`target ${sel.target}`);
  parts.push(`threshold ${Number((sel.settings.threshold * 100).toFixed(1))} %`);
  if (sel.settings.maskLevel !== DEFAULT_FOCUS_SETTINGS.maskLevel) parts.push(`mask level ${sel.settings.maskLevel}`);
  if (sel.settings.dilation !== DEFAULT_FOCUS_SETTINGS.dilation) parts.push(`dilation ${sel.settings.dilation} px`);
  if (sel.settings.camLevel !== DEFAULT_FOCUS_SETTINGS.camLevel) parts.push(`CAM level ${sel.settings.camLevel}`);
  return parts.join(' · ');
}

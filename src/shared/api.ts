// The one API contract. src/main/api/router.ts implements it once; Electron IPC
// (preload bridge), the WebSocket of `gan-focus serve`, and the CLI are thin
// adapters over that router. Every request's params are validated at the edge
// against `methods[name].params`.

import { PRESETS, runConfigSchema, type RunConfig } from './config.js';
import * as s from './schema.js';
import { RUN_STATUSES, type EpochRow, type MetricRow, type RunRow, type RunStatus } from './types.js';

const id = s.number({ integer: true, min: 1 });
const epoch = s.number({ integer: true, min: 1 });
const name = s.string({ minLength: 1, maxLength: 200 });
const tag = s.string({ minLength: 1, maxLength: 60 });

export const methods = {
  doctor: { params: s.object({}) },
  presets: { params: s.object({}) },
  listRuns: {
    params: s.object({
      search: s.optional(s.string({ maxLength: 200 })),
      status: s.optional(s.oneOf(RUN_STATUSES)),
      tag: s.optional(tag),
    }),
  },
  getRun: { params: s.object({ id }) },
  createRun: { params: s.object({ name: s.optional(name), config: runConfigSchema, start: s.optional(s.boolean()) }) },
  updateRun: {
    params: s.object({
      id,
      name: s.optional(name),
      notes: s.optional(s.string({ maxLength: 20_000 })),
      tags: s.optional(s.array(tag, { maxItems: 50 })),
    }),
  },
  deleteRun: { params: s.object({ id }) },
  duplicateRun: { params: s.object({ id }) },
  startRun: { params: s.object({ id }) },
  resumeRun: { params: s.object({ id }) },
  cancelRun: { params: s.object({ id }) },
  getMetrics: {
    params: s.object({
      id,
      fromIteration: s.optional(s.number({ integer: true, min: 0 })),
      limit: s.optional(s.number({ integer: true, min: 1, max: 1_000_000 })),
    }),
  },
  getGrid: { params: s.object({ id, epoch }) },
  estimateEpoch: { params: s.object({ config: runConfigSchema }) },
} as const;

export type MethodName = keyof typeof methods;
export type ParamsOf<M extends MethodName> = s.Infer<(typeof methods)[M]['params']>;

export type RunSummary = RunRow;
export type { MetricRow, RunError } from './types.js';

/** An epoch as the API reports it: checkpoint and grid paths are absolute. */
export type EpochSummary = EpochRow;

export interface RunDetail extends RunSummary {
  epochs: EpochSummary[];
  /** Runs derived from this one. */
  children: { id: number; name: string; status: RunStatus }[];
}

export interface DoctorReport {
  chosen: string;
  tfBackend: string;
  detail: string;
  skipped: { candidate: string; reason: string }[];
  versions: Record<string, string>;
  cores: number;
  memoryBytes: number;
  node: string;
  home: string;
}

export interface EpochEstimate {
  backend: string;
  secondsPerStep: number;
  stepsPerEpoch: number;
  secondsPerEpoch: number;
  /** How the number was obtained (measured now, or scaled from a measurement). */
  basis: string;
}

export interface Results {
  doctor: DoctorReport;
  presets: Record<(typeof PRESETS)[number], RunConfig>;
  listRuns: RunSummary[];
  getRun: RunDetail;
  createRun: RunSummary;
  updateRun: RunSummary;
  deleteRun: { id: number; deleted: true };
  duplicateRun: RunSummary;
  startRun: RunSummary;
  resumeRun: RunSummary;
  cancelRun: RunSummary;
  getMetrics: MetricRow[];
  /** PNG as base64, so it crosses every transport and needs no file access. */
  getGrid: { epoch: number; pngBase64: string };
  estimateEpoch: EpochEstimate;
}

export type ResultOf<M extends MethodName> = M extends keyof Results ? Results[M] : never;

export type ApiEvent =
  | { type: 'runState'; run: RunSummary }
  | { type: 'progress'; runId: number; metrics: MetricRow[]; batches: number; epochs: number }
  | { type: 'epochDone'; runId: number; epoch: EpochSummary };

/** The client side of the contract: what the renderer and tests call. */
export interface ApiClient {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

/** Wire format shared by the WebSocket and IPC transports. */
export type Request = { id: number; method: string; params: unknown };
export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: { code: ErrorCode; message: string } };
export type ErrorCode = 'bad_request' | 'not_found' | 'conflict' | 'internal' | 'unauthorized';

export const requestSchema = s.object({
  id: s.number({ integer: true, min: 0 }),
  method: s.string({ minLength: 1, maxLength: 100 }),
  params: s.unknownValue(),
});

export function isMethodName(m: string): m is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, m);
}

/**
 * What the Electron preload exposes as `window.ganFocus`: the wire format, and
 * nothing else. `call` resolves with the router's Response (never rejects for
 * a bad request); `onEvent` returns its unsubscribe function.
 */
export interface GanFocusBridge {
  call(msg: Request): Promise<Response>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

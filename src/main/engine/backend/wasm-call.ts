import * as tf from '@tensorflow/tfjs';

// Helpers for kernels that are compositions of other wasm kernels: the inner
// kernels run directly (no tape, no engine bookkeeping) and every intermediate
// is freed when the outer kernel returns.

export type TensorInfo = tf.TensorInfo;
export type Attrs = Record<string, unknown>;

/** The parts of tfjs-backend-wasm's BackendWasm that the composed kernels use. */
export interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: object): void;
  disposeData(dataId: object, force?: boolean): boolean;
}

export interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: WasmBackend;
  attrs: Attrs;
}

/** wasm's own kernels, captured before any of them is replaced. */
const builtins = new Map<string, tf.KernelConfig>();

export function rememberBuiltin(name: string): tf.KernelConfig | undefined {
  if (!builtins.has(name)) {
    const k = tf.getKernel(name, 'wasm');
    if (k) builtins.set(name, k);
  }
  return builtins.get(name);
}

export function runKernel(name: string, backend: WasmBackend, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo {
  const f = (builtins.get(name) ?? tf.getKernel(name, 'wasm'))?.kernelFunc;
  if (!f) throw new Error(`wasm kernel ${name} is missing`);
  return f({ inputs, backend, attrs } as never) as TensorInfo;
}

/** Float32 view of a tensor on the wasm heap; re-take it after any allocation (the heap may grow and detach it). */
export function heapF32(backend: WasmBackend, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Intermediates of one composed kernel, all freed by free() except the one handed out. */
export class Temps {
  private readonly list: TensorInfo[] = [];
  constructor(readonly backend: WasmBackend) {}

  run(name: string, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo {
    return this.track(runKernel(name, this.backend, inputs, attrs));
  }

  alloc(shape: number[], dtype: tf.DataType = 'float32'): TensorInfo {
    return this.track(this.backend.makeOutput(shape, dtype));
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  zeros(shape: number[]): TensorInfo {
    const t = this.alloc(shape);
    heapF32(this.backend, t).fill(0);
    return t;
  }

  track(t: TensorInfo): TensorInfo {
    this.list.push(t);
    return t;
  }

  /** Keeps t alive past free(): the caller owns it. */
  handOut(t: TensorInfo): TensorInfo {
    const i = this.list.lastIndexOf(t);
    // An input handed back as the result needs its own reference.
    if (i < 0) return runKernel('Reshape', this.backend, { x: t }, { shape: t.shape });
    this.list.splice(i, 1);
    return t;
  }

  free(): void {
    for (const t of this.list) this.backend.disposeData(t.dataId);
    this.list.length = 0;
  }
}

/** Runs body with a Temps scope; everything it tracked is freed, except its result. */
export function composed(backend: WasmBackend, body: (t: Temps) => TensorInfo): TensorInfo {
  const temps = new Temps(backend);
  try {
    return temps.handOut(body(temps));
  } finally {
    temps.free();
  }
}

import * as tf from '@tensorflow/tfjs';

type DataId = object;
type BackendValues = tf.backend_util.BackendValues;

/** The parts of tfjs' MathBackendCPU the native kernels rely on. */
export interface CpuBackendLike extends tf.KernelBackend {
  data: { get(id: DataId): { values?: BackendValues; dtype: tf.DataType; refCount: number }; has(id: DataId): boolean };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: BackendValues): tf.TensorInfo;
  readSync(id: DataId): BackendValues;
}

export interface NativeBackend extends CpuBackendLike {
  /** A float32 array of n elements for a kernel output; recycled from disposed tensors when possible. */
  alloc(n: number): Float32Array;
  /** float32 values of a tensor, or null when it is not float32 (the caller falls back to the JS kernel). */
  f32(t: tf.TensorInfo): Float32Array | null;
  poolStats(): { freeBytes: number; freeArrays: number; recycled: number; allocated: number };
  trimPool(): void;
}

/** Below this many floats, arrays are pooled by exact size. */
const SMALL = 4096;
/** A request may take a free buffer up to this many size classes larger (about 2x). */
const REACH = 4;

/** Size class of n floats: n rounded up to a quarter step of its power of two. */
function sizeClass(n: number): number {
  if (n <= SMALL) return n;
  const step = 2 ** (Math.floor(Math.log2(n)) - 2);
  return Math.ceil(n / step) * step;
}

function nextClass(c: number): number {
  return c < SMALL ? SMALL + 1 : sizeClass(c + 1);
}

/**
 * Recycles the buffers of disposed tensors. A training step allocates the
 * same shapes every iteration; reusing them saves the zero-fill and page
 * faults of a fresh allocation (half the step time at width 32) and keeps the
 * GC from holding hundreds of MB of dead buffers. Buffers come in size
 * classes and a request may take a larger free one, so that free memory of
 * one shape serves another instead of sitting idle (tensors get exact-length
 * views). A buffer is recycled only once no tensor refers to it (aliases such
 * as a contiguous slice's subarray share it and are counted); reads hand out
 * copies, so user code never holds a pooled buffer.
 */
class BufferPool {
  private free = new Map<number, ArrayBuffer[]>();
  /** Buffers this pool handed out -> number of live data ids using them. */
  private live = new Map<ArrayBufferLike, number>();
  private freeBytes = 0;
  recycled = 0;
  allocated = 0;

  constructor(private readonly maxFreeBytes: number) {}

  alloc(n: number): Float32Array {
    let c = sizeClass(n);
    let buf: ArrayBuffer | undefined;
    for (let i = 0; i <= REACH && !buf; i++, c = nextClass(c)) {
      buf = this.free.get(c)?.pop();
      if (n <= SMALL) break;
    }
    if (buf) {
      this.freeBytes -= buf.byteLength;
      this.recycled++;
    } else {
      buf = new ArrayBuffer(sizeClass(n) * 4);
      this.allocated++;
    }
    this.live.set(buf, 0);
    return new Float32Array(buf, 0, n);
  }

  owns(values: BackendValues | undefined): boolean {
    const buf = (values as Float32Array | undefined)?.buffer;
    return buf !== undefined && this.live.has(buf);
  }

  retain(values: BackendValues | undefined): void {
    const buf = (values as Float32Array | undefined)?.buffer;
    if (buf === undefined) return;
    const n = this.live.get(buf);
    if (n !== undefined) this.live.set(buf, n + 1);
  }

  release(values: BackendValues | undefined): void {
    const buf = (values as Float32Array | undefined)?.buffer as ArrayBuffer | undefined;
    if (buf === undefined) return;
    const n = this.live.get(buf);
    if (n === undefined) return;
    if (n > 1) {
      this.live.set(buf, n - 1);
      return;
    }
    this.live.delete(buf);
    if (this.freeBytes + buf.byteLength > this.maxFreeBytes) return;
    const c = buf.byteLength / 4;
    let list = this.free.get(c);
    if (!list) this.free.set(c, (list = []));
    list.push(buf);
    this.freeBytes += buf.byteLength;
  }

  stats() {
    let arrays = 0;
    for (const l of this.free.values()) arrays += l.length;
    return { freeBytes: this.freeBytes, freeArrays: arrays, recycled: this.recycled, allocated: this.allocated };
  }

  trim(): void {
    this.free.clear();
    this.freeBytes = 0;
  }
}

/**
 * Builds the backend class on top of tfjs' own CPU backend class (taken from
 * the registered 'cpu' backend, so no second copy of tfjs-backend-cpu is loaded):
 * same storage of plain TypedArrays, so every JS kernel of 'cpu' runs unchanged
 * and the native kernels read and write the same arrays.
 */
export function createNativeBackend(maxFreeBytes: number): NativeBackend {
  const cpu = tf.findBackend('cpu') as CpuBackendLike | null;
  if (!cpu) throw new Error("tfjs' cpu backend is not registered");
  const Base = cpu.constructor as new () => CpuBackendLike;

  class Native extends Base implements NativeBackend {
    private pool = new BufferPool(maxFreeBytes);

    constructor() {
      super();
      // MathBackendCPU's first write warns to install tfjs-node: not the advice here.
      (this as unknown as { firstUse: boolean }).firstUse = false;
    }

    alloc(n: number): Float32Array {
      return this.pool.alloc(n);
    }

    f32(t: tf.TensorInfo): Float32Array | null {
      if (t.dtype !== 'float32') return null;
      const record = this.data.get(t.dataId);
      const v = record.values;
      if (v instanceof Float32Array) return v;
      // tfjs' Cast from bool keeps the Uint8Array under dtype float32: widen it
      // once, in this tensor's own record (the bool tensor keeps its array).
      if (ArrayBuffer.isView(v)) {
        const wide = Float32Array.from(v as Uint8Array | Int32Array);
        record.values = wide;
        return wide;
      }
      return null;
    }

    override write(values: BackendValues, shape: number[], dtype: tf.DataType): DataId {
      const id = super.write(values, shape, dtype);
      this.pool.retain(values);
      return id;
    }

    override move(dataId: DataId, values: BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
      super.move(dataId, values, shape, dtype, refCount);
      this.pool.retain(values);
    }

    override disposeData(dataId: DataId, force = false): boolean {
      if (!this.data.has(dataId)) return super.disposeData(dataId, force);
      const values = this.data.get(dataId).values;
      const done = super.disposeData(dataId, force);
      if (!this.data.has(dataId)) this.pool.release(values);
      return done;
    }

    override readSync(dataId: DataId): BackendValues {
      const values = super.readSync(dataId);
      // A pooled buffer is reused once its tensors are gone: the reader gets
      // its own exact-length copy.
      return this.pool.owns(values) ? (values as Float32Array).slice() : values;
    }

    poolStats() {
      return this.pool.stats();
    }

    trimPool(): void {
      this.pool.trim();
    }
  }

  return new Native();
}

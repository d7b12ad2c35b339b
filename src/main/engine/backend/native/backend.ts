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

/**
 * Recycles the Float32Arrays of disposed tensors. A training step allocates the
 * same shapes every iteration; reusing them saves the zero-fill and page faults
 * of a fresh allocation and keeps the GC from holding hundreds of MB of dead
 * buffers. An array is recycled only once no tensor refers to it (aliases such
 * as a contiguous slice's subarray share the ArrayBuffer and are counted), and
 * never after user code may hold it (readSync hands it out).
 */
class BufferPool {
  private free = new Map<number, Float32Array[]>();
  /** ArrayBuffers this pool handed out -> number of live data ids using them. */
  private live = new Map<ArrayBufferLike, number>();
  private freeBytes = 0;
  recycled = 0;
  allocated = 0;

  constructor(private readonly maxFreeBytes: number) {}

  alloc(n: number): Float32Array {
    const list = this.free.get(n);
    let a = list?.pop();
    if (a) {
      this.freeBytes -= a.byteLength;
      this.recycled++;
    } else {
      a = new Float32Array(n);
      this.allocated++;
    }
    this.live.set(a.buffer, 0);
    return a;
  }

  retain(values: BackendValues | undefined): void {
    const buf = (values as Float32Array | undefined)?.buffer;
    if (buf === undefined) return;
    const n = this.live.get(buf);
    if (n !== undefined) this.live.set(buf, n + 1);
  }

  release(values: BackendValues | undefined): void {
    const buf = (values as Float32Array | undefined)?.buffer;
    if (buf === undefined) return;
    const n = this.live.get(buf);
    if (n === undefined) return;
    if (n > 1) {
      this.live.set(buf, n - 1);
      return;
    }
    this.live.delete(buf);
    if (this.freeBytes + buf.byteLength > this.maxFreeBytes) return;
    const a = new Float32Array(buf);
    let list = this.free.get(a.length);
    if (!list) this.free.set(a.length, (list = []));
    list.push(a);
    this.freeBytes += a.byteLength;
  }

  /** The array may now be held outside tfjs: never recycle it. */
  escape(values: BackendValues | undefined): void {
    const buf = (values as Float32Array | undefined)?.buffer;
    if (buf !== undefined) this.live.delete(buf);
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
      this.pool.escape(this.data.get(dataId).values);
      return values;
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

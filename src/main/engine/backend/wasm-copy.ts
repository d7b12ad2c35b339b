import type { TensorInfo, WasmBackend } from './wasm-call.js';

// Strided block copies on the wasm heap, for the layout work of the composed
// kernels (phase interleaving, im2col gathers, transposes). JavaScript loops
// over heap views ran at 6-20 ns per float here; this is a tiny WebAssembly
// module, assembled below at startup, that imports tfjs-backend-wasm's own
// memory and copies with 128-bit SIMD loads/stores (~1 ns per float or less).
//
// copy3(dst, src, n0, ds0, ss0, n1, ds1, ss1, n2, ds2, ss2, blockBytes):
//   for i0 < n0, i1 < n1, i2 < n2: copy blockBytes bytes from
//   src + i0*ss0 + i1*ss1 + i2*ss2 to dst + i0*ds0 + i1*ds1 + i2*ds2.
// add3 (same arguments) adds the source floats to the destination's instead.
// All offsets and strides are in bytes; blockBytes is a multiple of 4.

const enum Op {
  Block = 0x02,
  Loop = 0x03,
  End = 0x0b,
  Br = 0x0c,
  BrIf = 0x0d,
  Get = 0x20,
  Set = 0x21,
  Const = 0x41,
  GeU = 0x4f,
  GtU = 0x4b,
  Add = 0x6a,
  Mul = 0x6c,
  F32Load = 0x2a,
  F32Store = 0x38,
  Simd = 0xfd,
  If = 0x04,
  Else = 0x05,
  Eq = 0x46,
  F32Add = 0x92,
}

// Parameters 0..11 as in the signature above, then locals.
const [DST, SRC, N0, DS0, SS0, N1, DS1, SS1, N2, DS2, SS2, BLOCK] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const [I0, I1, I2, D, S, K] = [12, 13, 14, 15, 16, 17];
const NO_RESULT = 0x40;

/** copy3's code, or add3's (dst += src) when accumulating. */
function body(accumulate: boolean): number[] {
  const get = (l: number) => [Op.Get, l];
  const set = (l: number) => [Op.Set, l];
  const inc = (l: number, by: number[]) => [...get(l), ...by, Op.Add, ...set(l)];
  const one = [Op.Const, 1];
  const madd = (base: number, a: number, b: number, c: number, e: number) => [...get(base), ...get(a), ...get(b), Op.Mul, Op.Add, ...get(c), ...get(e), Op.Mul, Op.Add];
  // for (l = 0; l < n; l++) { inner }
  const loop = (l: number, n: number, inner: number[]) => [
    Op.Const, 0, ...set(l),
    Op.Block, NO_RESULT, Op.Loop, NO_RESULT,
    ...get(l), ...get(n), Op.GeU, Op.BrIf, 1,
    ...inner,
    ...inc(l, one), Op.Br, 0,
    Op.End, Op.End,
  ];
  const memarg = [0, 0];
  const copyGeneral = [
    Op.Const, 0, ...set(K),
    // 16 bytes at a time while they fit
    Op.Block, NO_RESULT, Op.Loop, NO_RESULT,
    ...get(K), Op.Const, 16, Op.Add, ...get(BLOCK), Op.GtU, Op.BrIf, 1,
    ...get(D), ...get(K), Op.Add,
    ...(accumulate ? [...get(D), ...get(K), Op.Add, Op.Simd, 0x00, ...memarg] : []),
    ...get(S), ...get(K), Op.Add, Op.Simd, 0x00, ...memarg,
    ...(accumulate ? [Op.Simd, 0xe4, 0x01] : []),
    Op.Simd, 0x0b, ...memarg,
    ...inc(K, [Op.Const, 16]), Op.Br, 0,
    Op.End, Op.End,
    // then 4 bytes at a time
    Op.Block, NO_RESULT, Op.Loop, NO_RESULT,
    ...get(K), ...get(BLOCK), Op.GeU, Op.BrIf, 1,
    ...get(D), ...get(K), Op.Add,
    ...(accumulate ? [...get(D), ...get(K), Op.Add, Op.F32Load, ...memarg] : []),
    ...get(S), ...get(K), Op.Add, Op.F32Load, ...memarg,
    ...(accumulate ? [Op.F32Add] : []),
    Op.F32Store, ...memarg,
    ...inc(K, [Op.Const, 4]), Op.Br, 0,
    Op.End, Op.End,
  ];
  // Single floats (transposes, gathers) skip the block loops.
  const copyBlock = [
    ...get(BLOCK), Op.Const, 4, Op.Eq, Op.If, NO_RESULT,
    ...get(D),
    ...(accumulate ? [...get(D), Op.F32Load, ...memarg] : []),
    ...get(S), Op.F32Load, ...memarg,
    ...(accumulate ? [Op.F32Add] : []),
    Op.F32Store, ...memarg,
    Op.Else, ...copyGeneral, Op.End,
  ];
  const code = loop(I0, N0, loop(I1, N1, [
    ...madd(DST, I0, DS0, I1, DS1), ...set(D),
    ...madd(SRC, I0, SS0, I1, SS1), ...set(S),
    ...loop(I2, N2, [...copyBlock, ...inc(D, get(DS2)), ...inc(S, get(SS2))]),
  ]));
  return [1, 6, 0x7f, ...code, Op.End];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    const b = n & 0x7f;
    n >>>= 7;
    out.push(n ? b | 0x80 : b);
  } while (n);
  return out;
}

const name = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];

function moduleBytes(): Uint8Array {
  const copy = body(false);
  const add = body(true);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 12, ...new Array(12).fill(0x7f), 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),
    ...section(3, [2, 0, 0]),
    ...section(7, [2, ...name('copy3'), 0x00, 0, ...name('add3'), 0x00, 1]),
    ...section(10, [2, ...uleb(copy.length), ...copy, ...uleb(add.length), ...add]),
  ]);
}

type Copy3 = (...args: number[]) => void;
interface Exports {
  copy3: Copy3;
  add3: Copy3;
}
// The project's TypeScript lib has no WebAssembly declarations; this is the part used.
const WA = (globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  };
}).WebAssembly;
const instances = new WeakMap<object, Exports>();

function exportsFor(backend: WasmBackend): Exports {
  const memory = (backend as unknown as { wasm: { asm: { memory: object } } }).wasm.asm.memory;
  let e = instances.get(memory);
  if (!e) {
    e = new WA.Instance(new WA.Module(moduleBytes()), { env: { memory } }).exports as unknown as Exports;
    instances.set(memory, e);
  }
  return e;
}

/** Byte address of a tensor's data on the wasm heap. */
export function address(backend: WasmBackend, t: TensorInfo): number {
  return backend.typedArrayFromHeap(t).byteOffset;
}

export interface Level {
  count: number;
  /** dst and src strides, in floats. */
  dst: number;
  src: number;
}

/**
 * Copies blocks of `block` floats through up to three nested strided levels
 * (outermost first); offsets are in floats from each tensor's start. With
 * `accumulate` the blocks are added to dst instead.
 */
export function stridedCopy(
  backend: WasmBackend,
  dst: TensorInfo,
  dstOffset: number,
  src: TensorInfo,
  srcOffset: number,
  levels: Level[],
  block: number,
  accumulate = false,
): void {
  if (levels.length > 3) throw new Error('stridedCopy takes at most 3 levels');
  const l = [...Array.from({ length: 3 - levels.length }, () => ({ count: 1, dst: 0, src: 0 })), ...levels];
  if (l.some((v) => v.count <= 0) || block <= 0) return;
  const e = exportsFor(backend);
  (accumulate ? e.add3 : e.copy3)(
    address(backend, dst) + 4 * dstOffset,
    address(backend, src) + 4 * srcOffset,
    ...l.flatMap((v) => [v.count, 4 * v.dst, 4 * v.src]),
    4 * block,
  );
}

import * as tf from '@tensorflow/tfjs';

// tfjs' Engine.gradients keeps every saved activation and every intermediate
// gradient until the whole backward pass ends (all live in one tidy), so a
// DCGAN step peaks at about three times PyTorch's memory. This is the same
// computation with the memory freed as soon as nothing can use it again:
// - saved tensors of tape nodes not on the path from xs to y, right after the
//   forward pass (e.g. G's activations recorded during D's step);
// - a node's saved tensors and its outputs' gradients once the node's input
//   gradients are computed;
// - each input gradient once it is added into the running sum.
// Only the top-level, first-order case is handled; nested or higher-order
// gradients, and other backends than the one given, use tfjs' own.

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  state: { gradientDepth: number; activeTape: TapeNode[] | null };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string | (() => T), fn?: () => T): T;
  gradients(
    f: () => tf.Tensor,
    xs: tf.Tensor[],
    dy?: tf.Tensor,
    allowNoGradients?: boolean,
  ): { value: tf.Tensor; grads: tf.Tensor[] };
}

/** Nodes from xs to y, inputs pruned to those depending on xs: tfjs' getFilteredNodesXToY. */
function filterTape(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    for (const name in node.inputs) {
      if (fromX.has(node.inputs[name].id)) {
        for (const o of node.outputs) fromX.add(o.id);
        nodesFromX.add(node.id);
        break;
      }
    }
  }
  const toY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const name in node.inputs) toY.add(node.inputs[name].id);
      nodesToY.add(node.id);
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const name in node.inputs) if (fromX.has(node.inputs[name].id)) inputs[name] = node.inputs[name];
    filtered.push({ ...node, inputs, outputs: node.outputs });
  }
  return filtered;
}

function disposeSaved(node: TapeNode): void {
  for (const t of node.saved ?? []) t.dispose();
  node.saved = [];
}

function leanGradients(
  engine: EngineInternals,
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy: tf.Tensor | undefined,
  allowNoGradients: boolean,
): { value: tf.Tensor; grads: tf.Tensor[] } {
  if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
  const tape = engine.state.activeTape ?? [];
  const filtered = filterTape(tape, xs, y);
  if (!allowNoGradients && filtered.length === 0 && xs.length > 0)
    throw new Error('Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.');
  const onPath = new Set(filtered.map((n) => n.id));
  for (const node of tape) if (!onPath.has(node.id)) disposeSaved(node);
  const keepIds = new Set<number>(xs.map((x) => x.id));

  return engine.tidy('backward', () => {
    const acc = new Map<number, tf.Tensor>();
    // How many entries of `acc` hold each tensor object: one gradient tensor can
    // serve several inputs (a gradient function may return the same object twice).
    const holders = new Map<tf.Tensor, number>();
    const hold = (id: number, t: tf.Tensor) => {
      acc.set(id, t);
      holders.set(t, (holders.get(t) ?? 0) + 1);
    };
    const release = (id: number) => {
      const t = acc.get(id);
      if (!t) return;
      acc.delete(id);
      const n = (holders.get(t) ?? 1) - 1;
      if (n > 0) holders.set(t, n);
      else {
        holders.delete(t);
        if (t !== dy) t.dispose();
      }
    };
    hold(y.id, dy ?? tf.ones(y.shape));

    for (let i = filtered.length - 1; i >= 0; i--) {
      const node = filtered[i];
      const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
      if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const inputGradients = node.gradient(dys);
      for (const name in node.inputs) {
        if (!(name in inputGradients))
          throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`);
        const dx = engine.tidy(() => inputGradients[name]());
        if (dx.dtype !== 'float32')
          throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`);
        const x = node.inputs[name];
        if (!tf.util.arraysEqual(dx.shape, x.shape))
          throw new Error(
            `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
          );
        const current = acc.get(x.id);
        if (current == null) {
          hold(x.id, dx);
        } else {
          const sum = tf.add(current, dx);
          release(x.id);
          hold(x.id, sum);
          if (!holders.has(dx) && dx !== dy) dx.dispose();
        }
      }
      disposeSaved(node);
      for (const o of node.outputs) if (!keepIds.has(o.id)) release(o.id);
    }
    const grads = xs.map((x) => acc.get(x.id) as tf.Tensor);
    for (const node of tape) disposeSaved(node);
    engine.state.activeTape = null;
    return { value: y, grads } as unknown as tf.TensorContainer;
  }) as unknown as { value: tf.Tensor; grads: tf.Tensor[] };
}

const INSTALLED = Symbol.for('gan-focus.lean-gradients');

/**
 * Routes the engine's gradient computation through leanGradients while
 * `backendName` is the active backend (tf.grad, tf.grads, tf.variableGrads and
 * optimizer.minimize all go through Engine.gradients). Idempotent.
 */
export function installLeanGradients(backendName: string): void {
  const engine = tf.engine() as unknown as EngineInternals & { [INSTALLED]?: boolean };
  if (engine[INSTALLED]) return;
  const original = engine.gradients;
  engine.gradients = function (this: EngineInternals, f, xs, dy, allowNoGradients = false) {
    if (tf.getBackend() !== backendName || this.state.gradientDepth !== 0) return original.call(this, f, xs, dy, allowNoGradients);
    return leanGradients(this, f, xs, dy, allowNoGradients);
  };
  engine[INSTALLED] = true;
}

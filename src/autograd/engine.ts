// Reverse-mode automatic differentiation: backward() from a tensor through the recorded graph.
//
// 1. Topological order by an iterative depth-first search (an explicit stack: a 10 000-op chain
//    must not overflow the JavaScript stack, the trap of a recursive micrograd-style sort).
// 2. Gradients flow in reverse order; a tensor used twice receives the sum (a + a → 2).
//    Leaves (tensors without a node) accumulate into .grad across backward() calls.
// 3. After every backward rule the engine checks each gradient's shape against its input,
//    naming the op, so a wrong rule fails where it is, not three layers later.
// 4. Unless retainGraph is set, the graph is released: nodes are dropped so their saved tensors
//    can be freed; a second backward through them is an error that says so.
// 5. Memory: a gradient the engine made is disposed as soon as nothing needs it (its node has run
//    and no pending sum holds it), and each rule runs in its own scope, so its temporaries go at
//    once. Without this, every intermediate gradient lived until the end of the training step,
//    and a step needed about three times the memory of its forward activations.

import { onesLike } from '../tensor/creation.js';
import { ShapeError, fmtShape, sameShape } from '../tensor/shape.js';
import { type GradNode, nextTensorId, type Tensor, tidy } from '../tensor/tensor.js';
import { noGrad } from './grad-mode.js';
import { add } from './ops/elementwise.js';

export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again. */
  retainGraph?: boolean;
}

/**
 * Computes gradients of `root` with respect to every leaf that requires grad. Without a seed,
 * root must hold one element (the seed is 1); with one, the seed must have root's shape.
 */
export function backward(root: Tensor, seed?: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error(
      'backward: the tensor does not require grad (no input had requiresGrad, ' +
        'or it was computed under noGrad)',
    );
  }
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new ShapeError(
        `backward: a seed gradient is needed for a non-scalar tensor of shape ` +
          `${fmtShape(root.shape)}`,
      );
    }
    seed = noGrad(() => onesLike(root));
  } else if (!sameShape(seed.shape, root.shape)) {
    throw new ShapeError(
      `backward: the seed has shape ${fmtShape(seed.shape)} but the tensor ` +
        `is ${fmtShape(root.shape)}`,
    );
  } else if (seed.dtype !== root.dtype || seed.backend !== root.backend) {
    // otherwise the leaves' .grad would silently come out in the seed's dtype or backend
    throw new Error(
      `backward: the seed is ${seed.dtype} on ${seed.backend.name} but ` +
        `the tensor is ${root.dtype} on ${root.backend.name}`,
    );
  }

  const order = topologicalOrder(root);
  // Tensors created from here on (rule outputs, sums) belong to the engine; anything older (the
  // caller's seed, forward activations a rule hands back) is never disposed here. `holds` counts
  // the pending entries of `grads` that refer to each tensor (a rule may return g itself twice).
  const firstOwn = nextTensorId();
  const holds = new Map<Tensor, number>();
  const hold = (x: Tensor) => holds.set(x, (holds.get(x) ?? 0) + 1);
  const drop = (x: Tensor) => {
    const n = (holds.get(x) ?? 0) - 1;
    if (n > 0) return void holds.set(x, n);
    holds.delete(x);
    if (x.id >= firstOwn) x.dispose();
  };
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  hold(seed);
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      const node = t.node;
      if (!node) {
        // a leaf: accumulate across calls; store a view so the leaf owns its own handle
        t.grad = t.grad ? add(t.grad, g) : g.view(g.shape);
        drop(g);
        continue;
      }
      const inputGrads = tidy(() => node.backward(g));
      node.inputs.forEach((input, k) => {
        const gi = inputGrads[k];
        if (!input.requiresGrad || !gi) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new ShapeError(
            `${node.op} backward: the gradient for input ${k} has shape ${fmtShape(gi.shape)} ` +
              `but the input is ${fmtShape(input.shape)}`,
          );
        }
        const prev = grads.get(input);
        if (prev) {
          const total = add(prev, gi);
          hold(total);
          grads.set(input, total);
          drop(prev);
        } else {
          hold(gi);
          grads.set(input, gi);
        }
      });
      drop(g);
      // gradients the rule made for inputs that need none (or that were summed right away)
      for (const gi of inputGrads) if (gi && gi.id >= firstOwn && !holds.has(gi)) gi.dispose();
    }
  });
  if (!opts.retainGraph) for (const t of order) if (t.node) t.node = released(t.node.op);
}

/** Tensors reachable from root through nodes, inputs before the tensors computed from them. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.t.node?.inputs ?? [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push({ t: child, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

function released(op: string): GradNode {
  return {
    op,
    inputs: [],
    backward() {
      throw new Error(
        `backward: the graph through ${op} was already released by an earlier backward(); ` +
          'pass { retainGraph: true } to the first call to backward through it twice',
      );
    },
  };
}

/** Sets .grad to null on each tensor (call before a step). */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  for (const t of tensors) t.grad = null;
}

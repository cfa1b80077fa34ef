/**
 * TensorFlow.js set-up for the baselines: tfjs-core with its 'cpu' (plain JS) and 'wasm'
 * backends, the gradient registry, and the one gradient tfjs 4.22 lacks for second-order
 * MAML on a conv net (the gradient of Conv2DBackpropFilter).
 *
 * What tfjs is missing for nested tf.grads through a conv net, and what we do about it:
 * - Conv2DBackpropFilter has no gradient: registered below (it is bilinear in x and dy).
 * - MaxPoolGrad has no gradient: the models pool by reshape + max instead (tfjs-models.ts);
 *   max's gradient builds an Equal mask, and Equal has no (zero) gradient: registered below.
 * - Exp's registered gradient multiplies by its saved output, and tfjs saves outputs as
 *   detached clones, so nested tf.grads silently drops exp's second derivative (a wrong
 *   meta-gradient through softmax cross-entropy; found by the finite-difference check in
 *   tfjs-maml.ts). Replaced below by a gradient that recomputes exp from the saved input.
 * - The wasm backend has no Conv2DBackpropFilter kernel at all, so even a first-order conv
 *   gradient fails there: on wasm the models convolve by shifted slices + matmul instead.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type TfjsBackendName = 'cpu' | 'wasm';

let gradientsRegistered = false;

/** d exp(x) = exp(x) dx, recomputed from the input so that it is itself differentiable. */
function registerExpGradient(): void {
  tf.registerGradient({
    kernelName: 'Exp',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.exp(x)) };
    },
  });
}

/** A comparison's output is piecewise constant: zero gradient to both inputs. */
function registerEqualGradient(): void {
  tf.registerGradient({
    kernelName: 'Equal',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
    },
  });
}

/** d<G, dW>/dx and d<G, dW>/ddy for dW = conv2DBackpropFilter(x, dy): both are convolutions again. */
function registerConvFilterGradient(): void {
  tf.registerGradient({
    kernelName: 'Conv2DBackpropFilter',
    inputsToSave: ['x', 'dy'],
    gradFunc: (ddw, saved, attrs) => {
      const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dimRoundingMode } = attrs as unknown as {
        strides: [number, number];
        pad: 'valid' | 'same' | number;
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
      };
      const g = ddw as tf.Tensor4D;
      return {
        x: () => tf.conv2dTranspose(dy, g, x.shape, strides, pad, dimRoundingMode),
        dy: () => tf.conv2d(x, g, strides, pad, 'NHWC', 1, dimRoundingMode),
      };
    },
  });
}

/**
 * Selects a tfjs backend. PROD mode: no debug checks (fair to tfjs) and no "install tfjs-node"
 * banner (impossible offline: tfjs-node downloads a binary).
 */
export async function useTfjsBackend(name: TfjsBackendName): Promise<void> {
  tf.env().set('PROD', true);
  if (!gradientsRegistered) {
    gradientsRegistered = true;
    registerConvFilterGradient();
    registerEqualGradient();
    registerExpGradient();
  }
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
    setWasmPaths(wasmDir);
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
}

/** True when the active backend cannot differentiate tf.conv2d (wasm: no Conv2DBackpropFilter kernel). */
export function convNeedsSlices(): boolean {
  return tf.getBackend() === 'wasm';
}

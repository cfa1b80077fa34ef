/** Shape primitives: broadcastTo, reshape, concat, slice (twin of native/autodiff/ops/shape_ops.cpp). */
import { ShapeError, ValueError } from '../../errors.js';
import { broadcastsTo, checkShape, formatShape as fmt, sizeOf } from '../../core/shape.js';
import { emitterOps } from '../js/emitterOps.js';
import { broadcastTo, concat, reshape, slice } from '../js/shape.js';
import type { OpRows } from './opRow.js';
import { linear } from './ruleHelpers.js';
import { shapesOf } from './shapeRules.js';

export const SHAPE_OPS: OpRows<'broadcastTo' | 'reshape' | 'concat' | 'slice'> = {
  broadcastTo: {
    arity: 1,
    infer: (op, [x], { shape }) => {
      checkShape(op, shape);
      if (!broadcastsTo(x.shape, shape)) throw new ShapeError(`${op}: cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
      return [...shape];
    },
    kernel: ([x], { shape }) => broadcastTo(x, shape),
    ...linear<'broadcastTo'>(
      (em, dx, _x, { shape }) => emitterOps(em).broadcastTo(dx, shape),
      (em, g, x) => emitterOps(em).unbroadcast(g, em.shape(x)),
    ),
  },
  reshape: {
    arity: 1,
    infer: (op, [x], { shape }) => {
      checkShape(op, shape);
      if (sizeOf(shape) !== sizeOf(x.shape)) {
        throw new ShapeError(`${op}: cannot reshape ${fmt(x.shape)} (${sizeOf(x.shape)} elements) to ${fmt(shape)}`);
      }
      return [...shape];
    },
    kernel: ([x], { shape }) => reshape(x, shape),
    ...linear<'reshape'>(
      (em, dx, _x, { shape }) => emitterOps(em).reshape(dx, shape),
      (em, g, x) => emitterOps(em).reshape(g, em.shape(x)),
    ),
  },
  concat: {
    arity: -1,
    inputNames: ['xs'],
    infer: (op, inputs, { axis }) => {
      if (inputs.length === 0) throw new ValueError(`${op}: needs at least one input`);
      const first = inputs[0].shape;
      if (!Number.isInteger(axis) || axis < 0 || axis >= first.length) {
        throw new ShapeError(`${op}: axis ${String(axis)} out of range for ${fmt(first)}`);
      }
      let total = 0;
      for (const t of inputs) {
        const ok = t.shape.length === first.length && t.shape.every((d, i) => i === axis || d === first[i]);
        if (!ok) throw new ShapeError(`${op}: shapes ${shapesOf(inputs)} differ outside axis ${String(axis)}`);
        total += t.shape[axis];
      }
      const out = [...first];
      out[axis] = total;
      return out;
    },
    kernel: (xs, { axis }, out) => concat(xs, axis, out),
    jvp(em, xs, dxs, _y, { axis }) {
      const o = emitterOps(em);
      return o.concat(xs.map((x, i) => dxs[i] ?? o.zeros(o.shape(x), x)), axis);
    },
    vjp(em, xs, _y, g, { axis }) {
      const o = emitterOps(em);
      let start = 0;
      return xs.map((x) => {
        const end = start + o.shape(x)[axis];
        const part = o.slice(g, axis, start, end);
        start = end;
        return part;
      });
    },
  },
  slice: {
    arity: 1,
    infer: (op, [x], { axis, start, end }) => {
      if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length) {
        throw new ShapeError(`${op}: axis ${String(axis)} out of range for ${fmt(x.shape)}`);
      }
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > x.shape[axis]) {
        throw new ShapeError(`${op}: range ${String(start)}:${String(end)} out of bounds for axis ${String(axis)} of ${fmt(x.shape)}`);
      }
      const out = [...x.shape];
      out[axis] = end - start;
      return out;
    },
    kernel: ([x], { axis, start, end }, out) => slice(x, axis, start, end, out),
    ...linear<'slice'>(
      (em, dx, _x, { axis, start, end }) => emitterOps(em).slice(dx, axis, start, end),
      (em, g, x, { axis, start, end }) => {
        // Pads g with zeros back to x's extent along axis.
        const o = emitterOps(em);
        const xShape = o.shape(x);
        const pad = (n: number) => o.zeros(xShape.map((d, i) => (i === axis ? n : d)), g);
        const parts: typeof g[] = [];
        if (start > 0) parts.push(pad(start));
        parts.push(g);
        if (end < xShape[axis]) parts.push(pad(xShape[axis] - end));
        return o.concat(parts, axis);
      },
    ),
  },
};

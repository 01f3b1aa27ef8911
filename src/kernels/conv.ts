/**
 * The loops under convolution and pooling, on NCHW batches [n, channels,
 * height, width] (row-major, as PyTorch and ONNX). A convolution is
 * im2col + a matrix product: `col` lays out, for every kernel position
 * (c, ki, kj), the input value each output pixel of the batch sees there,
 * so that the convolution of the whole batch is one product W · col (see
 * layers/conv2d.ts). col is [C·kH·kW, n·oH·oW]: row (c·kH + ki)·kW + kj,
 * column (b·oH + oh)·oW + ow.
 *
 * im2col and col2im run as SIMD kernels where their arrays live in kernel
 * memory (bit for bit the loops below: copies, and the same additions in
 * the same order), and so does max pooling; average pooling is plain JS.
 *
 * NOTE: no kernel validates its arguments; the layers check shapes at the
 * boundary.
 */
import { axpy, matmul, matmulTransA, matmulTransB } from './dispatch.js';
import { allocFloat32, allocInt32, inKernelMemory } from './memory.js';
import { gemmPackAt } from './gemm.js';
import { runParts, threadCount } from './threads.js';
import { wasm } from './wasm/instance.js';


/** The geometry of a 2-D window sliding over an image: input, kernel, stride, padding, and the output it gives. */
export interface Window2D {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly stride: number;
  readonly padding: number;
  readonly outH: number;
  readonly outW: number;
}

/** The output size of a window of `kernel` at `stride` with `padding` on both sides over `size` pixels: ⌊(size + 2·padding − kernel) / stride⌋ + 1 (PyTorch's). */
export function slidingOutput(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/** For each kernel column kj: the output columns [ow0, ow1) whose input column ow·s − p + kj is inside the image (the SIMD kernels' table). */
function insideColumns(g: Window2D): Int32Array {
  let table = rangeTables.get(g.kernelW);
  if (table === undefined) rangeTables.set(g.kernelW, (table = allocInt32(2 * g.kernelW)));
  for (let kj = 0; kj < g.kernelW; kj++) {
    const ow0 = Math.min(g.outW, Math.max(0, Math.ceil((g.padding - kj) / g.stride)));
    table[2 * kj] = ow0;
    table[2 * kj + 1] = Math.min(g.outW, Math.max(ow0, Math.ceil((g.width + g.padding - kj) / g.stride)));
  }
  return table;
}
const rangeTables = new Map<number, Int32Array>();

/**
 * The inside-columns table for the SIMD kernels, or null where they cannot
 * run: no WebAssembly, arrays outside kernel memory, or a non-square kernel
 * (every layer here has square ones).
 */
function simdTable(g: Window2D, a: Float32Array, b: Float32Array): Int32Array | null {
  if (wasm === null || g.kernelH !== g.kernelW || !inKernelMemory(a, b)) return null;
  const ranges = insideColumns(g);
  return inKernelMemory(ranges, ranges) ? ranges : null;
}

/** col = im2col(x) for a batch of `n` images x [n, C, H, W]; col [C·kH·kW, n·oH·oW], zeros where the window is over the padding. */
export function im2col(col: Float32Array, x: Float32Array, n: number, g: Window2D): Float32Array {
  const ranges = simdTable(g, col, x);
  if (ranges === null) return im2colLoop(col, x, n, g);
  (wasm as NonNullable<typeof wasm>).im2col(col.byteOffset, x.byteOffset, n, g.channels, g.height, g.width, g.kernelW, g.stride, g.padding, g.outH, g.outW, ranges.byteOffset);
  return col;
}

/** dx = col2im(dcol): each col entry added back to the input pixel it came from (the adjoint of im2col); dx [n, C, H, W]. */
export function col2im(dx: Float32Array, dcol: Float32Array, n: number, g: Window2D): Float32Array {
  const ranges = simdTable(g, dx, dcol);
  if (ranges === null) return col2imLoop(dx, dcol, n, g);
  (wasm as NonNullable<typeof wasm>).col2im(dx.byteOffset, dcol.byteOffset, n, g.channels, g.height, g.width, g.kernelW, g.stride, g.padding, g.outH, g.outW, ranges.byteOffset);
  return dx;
}

/** im2col as plain loops: the JS path, and the reference the SIMD kernel is held to. */
export function im2colLoop(col: Float32Array, x: Float32Array, n: number, g: Window2D): Float32Array {
  const { channels: C, height: H, width: W, kernelH, kernelW, stride, padding, outH, outW } = g;
  const hw = outH * outW;
  const cols = n * hw;
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < kernelH; ki++) {
      for (let kj = 0; kj < kernelW; kj++) {
        const row = ((c * kernelH + ki) * kernelW + kj) * cols;
        for (let b = 0; b < n; b++) {
          const image = (b * C + c) * H * W;
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * stride - padding + ki;
            const at = row + b * hw + oh * outW;
            if (ih < 0 || ih >= H) {
              col.fill(0, at, at + outW);
              continue;
            }
            const line = image + ih * W;
            for (let ow = 0, iw = kj - padding; ow < outW; ow++, iw += stride) col[at + ow] = iw >= 0 && iw < W ? x[line + iw] : 0;
          }
        }
      }
    }
  }
  return col;
}

/** col2im as plain loops: the JS path, and the reference the SIMD kernel is held to. */
export function col2imLoop(dx: Float32Array, dcol: Float32Array, n: number, g: Window2D): Float32Array {
  const { channels: C, height: H, width: W, kernelH, kernelW, stride, padding, outH, outW } = g;
  const hw = outH * outW;
  const cols = n * hw;
  dx.fill(0, 0, n * C * H * W);
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < kernelH; ki++) {
      for (let kj = 0; kj < kernelW; kj++) {
        const row = ((c * kernelH + ki) * kernelW + kj) * cols;
        for (let b = 0; b < n; b++) {
          const image = (b * C + c) * H * W;
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * stride - padding + ki;
            if (ih < 0 || ih >= H) continue;
            const at = row + b * hw + oh * outW;
            const line = image + ih * W;
            for (let ow = 0, iw = kj - padding; ow < outW; ow++, iw += stride) if (iw >= 0 && iw < W) dx[line + iw] += dcol[at + ow];
          }
        }
      }
    }
  }
  return dx;
}

/**
 * The forward pass of a convolution of `n` images x [n, C, H, W] by weight
 * [O, C·kH·kW] and bias [O]: out [n, O, oH, oW]. Image by image, col_b =
 * im2col(x_b) [C·kH·kW, oH·oW] (kept in `col`, [n, C·kH·kW, oH·oW], for the
 * backward pass) and out_b = W · col_b, which is already image-major
 * (channel o is row o), then out += bias per channel. One image's col
 * (57 KB for LeNet-5's first layer) stays in cache while W · col_b reads it.
 */
export function convForward(out: Float32Array, x: Float32Array, weight: Float32Array, bias: Float32Array, col: Float32Array, n: number, outChannels: number, g: Window2D): Float32Array {
  const { patch, hw, inSize } = convSizes(g);
  const outSize = outChannels * hw;
  const ranges = simdTable(g, col, x);
  const desc = ranges === null ? null : convDesc(g, outChannels, ranges);
  if (ranges !== null && desc !== null && inKernelMemory(out, weight, bias)) {
    const parts = partsFor(n, n * outChannels * patch * hw);
    runParts(wasm as NonNullable<typeof wasm>, 'convForwardImages', parts, (p) => [desc, out.byteOffset, x.byteOffset, weight.byteOffset, bias.byteOffset, col.byteOffset, share(n, parts, p), share(n, parts, p + 1), gemmPackAt(p)]);
    return out;
  }
  for (let b = 0; b < n; b++) {
    const colB = col.subarray(b * patch * hw, (b + 1) * patch * hw);
    im2colLoop(colB, x.subarray(b * inSize, (b + 1) * inSize), 1, g);
    matmul(out.subarray(b * outSize, (b + 1) * outSize), weight, colB, outChannels, patch, hw);
  }
  return addChannelBiasLoop(out, bias, n * outChannels, outChannels, hw);
}

/** What {@link convBackward} fills: the param grads (set, or added to unless `first`) and, unless null, dL/dX. */
export interface ConvGrads {
  weightGrad: Float32Array;
  biasGrad: Float32Array;
  /** dL/dX [n, C, H, W], or null (the model's first layer needs none). */
  inputGrad: Float32Array | null;
  /** true: the grads are set; false: added to (a later chunk of the batch). */
  first: boolean;
}

/**
 * The backward pass of {@link convForward} for output gradient gOut [n, O,
 * oH·oW], image by image (G_b = gOut_b, [O, oH·oW]):
 *
 *   dL/dW = Σ_b G_b · col_bᵀ,   dL/dbias[o] = Σ_b Σ G_b[o, :],   dL/dx_b = col2im(Wᵀ · G_b)
 *
 * `col` holds the forward pass's im2col when `haveCol`, else it is redone
 * from x; `weightPart` [O·C·kH·kW] and `dcol` [C·kH·kW, oH·oW] are scratch.
 */
export function convBackward(
  grads: ConvGrads, gOut: Float32Array, x: Float32Array, weight: Float32Array, col: Float32Array, haveCol: boolean,
  weightPart: Float32Array, dcol: Float32Array, n: number, outChannels: number, g: Window2D,
): void {
  const { patch, hw, inSize } = convSizes(g);
  const O = outChannels;
  const outSize = O * hw;
  const { weightGrad: dW, biasGrad: db, inputGrad: dx } = grads;
  const ranges = simdTable(g, col, x);
  const desc = ranges === null ? null : convDesc(g, O, ranges);
  const simd = desc !== null && inKernelMemory(gOut, weight, dW) && inKernelMemory(weightPart, dcol, db) && (dx === null || inKernelMemory(dx, dx));
  if (simd) {
    const k = wasm as NonNullable<typeof wasm>;
    // Split by images (im2col, dL/dX: each thread its own dcol) and by rows of dL/dW (each row's sum over the images is one thread's).
    const work = n * O * patch * hw;
    const imageParts = partsFor(n, work);
    if (!haveCol) runParts(k, 'im2colImages', imageParts, (p) => [desc, col.byteOffset, x.byteOffset, share(n, imageParts, p), share(n, imageParts, p + 1)]);
    const rowParts = partsFor(O, work);
    runParts(k, 'convWeightGradRows', rowParts, (p) => [desc, dW.byteOffset, weightPart.byteOffset, gOut.byteOffset, col.byteOffset, n, share(O, rowParts, p), share(O, rowParts, p + 1), grads.first ? 1 : 0]);
    if (dx !== null) {
      const dcols = threadScratch(dcol, imageParts);
      // Each part needs its own dcol in kernel memory; where one could not be had, one thread does it all.
      const parts = dcols.length === imageParts ? imageParts : 1;
      runParts(k, 'convInputGradImages', parts, (p) => [desc, dx.byteOffset, weight.byteOffset, gOut.byteOffset, dcols[p].byteOffset, share(n, parts, p), share(n, parts, p + 1), gemmPackAt(p)]);
    }
  } else {
    for (let b = 0; b < n; b++) {
      // The first image of the first chunk writes dL/dW; the others add theirs to it.
      const into = grads.first && b === 0 ? dW : weightPart;
      const colB = col.subarray(b * patch * hw, (b + 1) * patch * hw);
      const gB = gOut.subarray(b * outSize, (b + 1) * outSize);
      if (!haveCol) im2colLoop(colB, x.subarray(b * inSize, (b + 1) * inSize), 1, g);
      matmulTransB(into, gB, colB, O, hw, patch);
      if (into !== dW) axpy(dW, 1, weightPart);
      if (dx !== null) {
        matmulTransA(dcol, weight, gB, patch, O, hw);
        col2imLoop(dx.subarray(b * inSize, (b + 1) * inSize), dcol, 1, g);
      }
    }
  }
  channelSums(db, gOut, n, O, hw, grads.first);
}

/**
 * Multiply-adds below which a pass stays on one thread: a hand-off costs
 * tens of microseconds, a LeNet-5 layer's pass over 64 images ~10⁷.
 */
const SPLIT_MIN_WORK = 1 << 20;

/** Into how many parts (threads) to split `units` images or rows carrying `work` multiply-adds. */
function partsFor(units: number, work: number): number {
  return work < SPLIT_MIN_WORK ? 1 : Math.min(threadCount(), units);
}

/** Where part p of `parts` of `units` starts (part `parts` ends at units). */
const share = (units: number, parts: number, p: number): number => Math.floor((units * p) / parts);

/**
 * `first` and, per other thread, a scratch array of its size in kernel
 * memory (kept, one per size and thread); fewer than `parts` arrays when
 * kernel memory is full.
 */
function threadScratch(first: Float32Array, parts: number): Float32Array[] {
  let list = scratchBySize.get(first.length);
  if (list === undefined) scratchBySize.set(first.length, (list = []));
  while (list.length < parts - 1) {
    const scratch = allocFloat32(first.length);
    if (!inKernelMemory(scratch, scratch)) break;
    list.push(scratch);
  }
  const out = threadScratchOut;
  out.length = 0;
  out.push(first);
  for (let i = 0; i < Math.min(parts - 1, list.length); i++) out.push(list[i]);
  return out;
}
const scratchBySize = new Map<number, Float32Array[]>();
const threadScratchOut: Float32Array[] = [];

/** The geometry as the SIMD conv kernels read it (ten i32, see src/kernels/wasm/conv.ts): its address in kernel memory (null: no room there). */
function convDesc(g: Window2D, outChannels: number, ranges: Int32Array): number | null {
  const d = (descBuffer ??= allocInt32(10));
  if (!inKernelMemory(d, d)) return null;
  d[0] = g.channels; d[1] = g.height; d[2] = g.width; d[3] = g.kernelW; d[4] = g.stride;
  d[5] = g.padding; d[6] = g.outH; d[7] = g.outW; d[8] = outChannels; d[9] = ranges.byteOffset;
  return d.byteOffset;
}
let descBuffer: Int32Array | undefined;

/** Per image: the values of one im2col (patch · hw), its output pixels, and its input values. */
export function convSizes(g: Window2D): { patch: number; hw: number; inSize: number } {
  return { patch: g.channels * g.kernelH * g.kernelW, hw: g.outH * g.outW, inSize: g.channels * g.height * g.width };
}

/** out[p, :] += bias[p mod channels] for `planes` = n·channels planes of hw values: a convolution's bias on NCHW output. */
export function addChannelBias(out: Float32Array, bias: Float32Array, planes: number, channels: number, hw: number): Float32Array {
  if (wasm === null || !inKernelMemory(out, bias)) return addChannelBiasLoop(out, bias, planes, channels, hw);
  wasm.addChannelBias(out.byteOffset, bias.byteOffset, planes, channels, hw);
  return out;
}

/** addChannelBias as plain loops: the JS path, and the reference the SIMD kernel is held to. */
export function addChannelBiasLoop(out: Float32Array, bias: Float32Array, planes: number, channels: number, hw: number): Float32Array {
  for (let p = 0; p < planes; p++) {
    const b0 = bias[p % channels];
    for (let i = p * hw, end = i + hw; i < end; i++) out[i] += b0;
  }
  return out;
}

/** db[o] = (or, unless `first`, +=) Σ_b Σ_i g[b, o, i]: the bias gradient of a convolution. */
export function channelSums(db: Float32Array, g: Float32Array, n: number, channels: number, hw: number, first: boolean): Float32Array {
  for (let o = 0; o < channels; o++) {
    let s = 0;
    for (let b = 0; b < n; b++) for (let i = (b * channels + o) * hw, end = i + hw; i < end; i++) s += g[i];
    db[o] = first ? s : db[o] + s;
  }
  return db;
}

/**
 * Max pooling without padding: out[b, c, oh, ow] = the largest x in its
 * window, and argmax the index into x it came from (the first of equal
 * maxima), for the backward pass.
 */
export function maxPool2d(out: Float32Array, argmax: Int32Array, x: Float32Array, n: number, g: Window2D): Float32Array {
  if (wasm === null || g.kernelH !== g.kernelW || !inKernelMemory(out, x, argmax)) return maxPool2dLoop(out, argmax, x, n, g);
  const k = wasm as NonNullable<typeof wasm>;
  if (g.kernelW === 2 && g.stride === 2) k.maxPool2x2(out.byteOffset, argmax.byteOffset, x.byteOffset, n * g.channels, g.height, g.width, g.outH, g.outW);
  else k.maxPool2d(out.byteOffset, argmax.byteOffset, x.byteOffset, n * g.channels, g.height, g.width, g.kernelW, g.stride, g.outH, g.outW);
  return out;
}

/** Max pooling as plain loops: the JS path, and the reference the SIMD kernel is held to. */
export function maxPool2dLoop(out: Float32Array, argmax: Int32Array, x: Float32Array, n: number, g: Window2D): Float32Array {
  const { channels: C, height: H, width: W, kernelH, kernelW, stride, outH, outW } = g;
  for (let plane = 0, o = 0; plane < n * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o++) {
        let best = base + oh * stride * W + ow * stride;
        let max = x[best];
        for (let ki = 0; ki < kernelH; ki++) {
          const line = base + (oh * stride + ki) * W + ow * stride;
          for (let kj = 0; kj < kernelW; kj++) {
            const v = x[line + kj];
            // NOTE: a NaN wins its window (and takes the gradient), as in PyTorch: a broken input is not hidden.
            if (v > max || (Number.isNaN(v) && !Number.isNaN(max))) {
              max = v;
              best = line + kj;
            }
          }
        }
        out[o] = max;
        argmax[o] = best;
      }
    }
  }
  return out;
}

/** dx = the gradient of max pooling: each g at the position its window's maximum came from (argmax), 0 elsewhere. */
export function maxPool2dBackward(dx: Float32Array, g: Float32Array, argmax: Int32Array, size: number, outputs: number): Float32Array {
  dx.fill(0, 0, size);
  for (let o = 0; o < outputs; o++) dx[argmax[o]] += g[o];
  return dx;
}

/** Average pooling without padding: out = the mean of each window. */
export function avgPool2d(out: Float32Array, x: Float32Array, n: number, g: Window2D): Float32Array {
  const { channels: C, height: H, width: W, kernelH, kernelW, stride, outH, outW } = g;
  const inv = 1 / (kernelH * kernelW);
  for (let plane = 0, o = 0; plane < n * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o++) {
        let sum = 0;
        for (let ki = 0; ki < kernelH; ki++) {
          const line = base + (oh * stride + ki) * W + ow * stride;
          for (let kj = 0; kj < kernelW; kj++) sum += x[line + kj];
        }
        out[o] = sum * inv;
      }
    }
  }
  return out;
}

/** dx = the gradient of average pooling: each g shared equally by the k·k inputs of its window. */
export function avgPool2dBackward(dx: Float32Array, g: Float32Array, n: number, win: Window2D): Float32Array {
  const { channels: C, height: H, width: W, kernelH, kernelW, stride, outH, outW } = win;
  const inv = 1 / (kernelH * kernelW);
  dx.fill(0, 0, n * C * H * W);
  for (let plane = 0, o = 0; plane < n * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o++) {
        const share = g[o] * inv;
        for (let ki = 0; ki < kernelH; ki++) {
          const line = base + (oh * stride + ki) * W + ow * stride;
          for (let kj = 0; kj < kernelW; kj++) dx[line + kj] += share;
        }
      }
    }
  }
  return dx;
}

import * as tf from '@tensorflow/tfjs';
import { convInfo, type Shape4 } from './compose';
import type { WebGpuBackend, WebGpuProgram } from './webgpu-program';

/**
 * Conv2DBackpropFilter for tfjs-backend-webgpu as an implicit GEMM with split-K.
 *
 * dW[m, n] = Σ_p X̂[p, m] · dy[p, n], where p runs over the N·outH·outW output pixels, m over the
 * kh·kw·Cin filter taps and n over Cout; X̂ (im2col of x) is never built, each tile reads x directly.
 * tfjs's own kernel gives every filter element one thread that loops over all p serially: a
 * 3×3×64→64 layer on a batch of 256 CIFAR images is 36,864 threads with 262,144 steps each,
 * a few percent of a large GPU. Here output tiles of up to 64×64 are computed by up to 256
 * threads, and p is split into ranges so the dispatch has enough workgroups; a second pass sums them.
 */

/** Rows of p loaded per step; output tiles are 16–64 wide on each side, 4×4 outputs per thread. */
const TILE_P = 16;
/** Enough workgroups to fill a large GPU (an H200 has 132 SMs); more only adds partial sums. */
const TARGET_WORKGROUPS = 1024;
/** Each split covers at least this many output pixels, so its tile loads are amortised. */
const MIN_ROWS_PER_SPLIT = 256;

export interface SplitPlan {
  /** Output tile: filter taps × output channels (powers of two, 16–64). */
  tileM: number;
  tileN: number;
  splits: number;
  /** Output pixels per split, a multiple of TILE_P. */
  chunk: number;
}

/** Narrow layers (LeNet's 5×5×1→6) get small tiles, so most lanes do useful work. */
const tileFor = (size: number) => Math.min(64, Math.max(16, 2 ** Math.ceil(Math.log2(size))));

/** The tile and how many ranges of p to split the reduction into, for `rows` × `columns` × `outChannels`. */
export function planSplits(rows: number, columns: number, outChannels: number): SplitPlan {
  const [tileM, tileN] = [tileFor(columns), tileFor(outChannels)];
  const tiles = Math.ceil(columns / tileM) * Math.ceil(outChannels / tileN);
  const wanted = Math.ceil(TARGET_WORKGROUPS / tiles);
  const most = Math.max(1, Math.floor(rows / MIN_ROWS_PER_SPLIT));
  let splits = Math.max(1, Math.min(wanted, most, 65535));
  const chunk = Math.ceil(Math.ceil(rows / splits) / TILE_P) * TILE_P;
  splits = Math.ceil(rows / chunk);
  return { tileM, tileN, splits, chunk };
}

class FilterGradPartialsProgram implements WebGpuProgram {
  variableNames = ['x', 'dy'];
  uniforms = 'pads : vec2<i32>, strides : vec2<i32>, filterWidth : i32, inChannels : i32, rows : i32, columns : i32, outChannels : i32, chunk : i32, tilesPerSplit : i32,';
  workgroupSize: [number, number, number];
  dispatchLayout = { x: [2], y: [1], z: [0] };
  shaderKey: string;
  dispatch: [number, number, number];

  constructor(public outputShape: [number, number, number], private readonly plan: SplitPlan) {
    const [splits, columns, outChannels] = outputShape;
    this.workgroupSize = [plan.tileN / 4, plan.tileM / 4, 1];
    this.dispatch = [Math.ceil(outChannels / plan.tileN), Math.ceil(columns / plan.tileM), splits];
    this.shaderKey = `distillFilterGradPartials_${plan.tileM}x${plan.tileN}`;
  }

  getUserCode(): string {
    const { tileM, tileN } = this.plan;
    const threads = (tileM / 4) * (tileN / 4);
    return /* wgsl */ `
      var<workgroup> tileX : array<f32, ${TILE_P * tileM}>;
      var<workgroup> tileDy : array<f32, ${TILE_P * tileN}>;

      // x at filter tap m (ky, kx, ci) for output pixel p (b, oy, ox); 0 in the padding.
      fn readPatch(p : i32, m : i32) -> f32 {
        if (m >= uniforms.columns) { return 0.0; }
        let outH = uniforms.dyShape[1];
        let outW = uniforms.dyShape[2];
        let b = p / (outH * outW);
        let pixel = p - b * outH * outW;
        let oy = pixel / outW;
        let ox = pixel - oy * outW;
        let tapsPerRow = uniforms.filterWidth * uniforms.inChannels;
        let ky = m / tapsPerRow;
        let rest = m - ky * tapsPerRow;
        let kx = rest / uniforms.inChannels;
        let ci = rest - kx * uniforms.inChannels;
        let iy = oy * uniforms.strides[0] + ky - uniforms.pads[0];
        let ix = ox * uniforms.strides[1] + kx - uniforms.pads[1];
        if (iy < 0 || iy >= uniforms.xShape[1] || ix < 0 || ix >= uniforms.xShape[2]) { return 0.0; }
        return x[((b * uniforms.xShape[1] + iy) * uniforms.xShape[2] + ix) * uniforms.inChannels + ci];
      }

      ${'fn main()'} {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let flat = ty * ${tileN / 4} + tx;
        let n0 = i32(workgroupId.x) * ${tileN};
        let m0 = i32(workgroupId.y) * ${tileM};
        let split = i32(workgroupId.z);
        let pBegin = split * uniforms.chunk;
        let pEnd = min(pBegin + uniforms.chunk, uniforms.rows);
        var acc : array<f32, 16>;
        for (var i = 0; i < 16; i++) { acc[i] = 0.0; }
        // The trip count comes from a uniform so every invocation reaches the barriers.
        for (var t = 0; t < uniforms.tilesPerSplit; t++) {
          let p0 = pBegin + t * ${TILE_P};
          for (var i = 0; i < ${(TILE_P * tileM) / threads}; i++) {
            let e = flat + i * ${threads};
            let p = p0 + e / ${tileM};
            var xv = 0.0;
            if (p < pEnd) { xv = readPatch(p, m0 + e % ${tileM}); }
            tileX[e] = xv;
          }
          for (var i = 0; i < ${(TILE_P * tileN) / threads}; i++) {
            let e = flat + i * ${threads};
            let p = p0 + e / ${tileN};
            let n = n0 + e % ${tileN};
            var dv = 0.0;
            if (p < pEnd && n < uniforms.outChannels) { dv = dy[p * uniforms.outChannels + n]; }
            tileDy[e] = dv;
          }
          workgroupBarrier();
          for (var k = 0; k < ${TILE_P}; k++) {
            let a = vec4<f32>(tileX[k * ${tileM} + ty * 4], tileX[k * ${tileM} + ty * 4 + 1], tileX[k * ${tileM} + ty * 4 + 2], tileX[k * ${tileM} + ty * 4 + 3]);
            let d = vec4<f32>(tileDy[k * ${tileN} + tx * 4], tileDy[k * ${tileN} + tx * 4 + 1], tileDy[k * ${tileN} + tx * 4 + 2], tileDy[k * ${tileN} + tx * 4 + 3]);
            for (var i = 0; i < 4; i++) {
              for (var j = 0; j < 4; j++) { acc[i * 4 + j] = fma(a[i], d[j], acc[i * 4 + j]); }
            }
          }
          workgroupBarrier();
        }
        for (var i = 0; i < 4; i++) {
          let m = m0 + ty * 4 + i;
          for (var j = 0; j < 4; j++) {
            let n = n0 + tx * 4 + j;
            if (m < uniforms.columns && n < uniforms.outChannels) {
              result[(split * uniforms.columns + m) * uniforms.outChannels + n] = acc[i * 4 + j];
            }
          }
        }
      }
    `;
  }
}

/** Sums [splits, M, N] partial products over the splits (coalesced: neighbours read neighbours). */
class SumSplitsProgram implements WebGpuProgram {
  variableNames = ['partials'];
  uniforms = 'splits : i32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  dispatchLayout = { x: [0, 1] };
  size = true;
  shaderKey = 'distillSumSplits';
  dispatch: [number, number, number];

  constructor(public outputShape: [number, number]) {
    const groups = Math.ceil((outputShape[0] * outputShape[1]) / 64);
    this.dispatch = [Math.min(groups, 65535), Math.ceil(groups / 65535), 1];
  }

  getUserCode(): string {
    return /* wgsl */ `
      ${'fn main(index : i32)'} {
        if (index < uniforms.size) {
          var sum = 0.0;
          for (var s = 0; s < uniforms.splits; s++) { sum = sum + partials[s * uniforms.size + index]; }
          setOutputAtIndex(index, sum);
        }
      }
    `;
  }
}

export function webgpuFilterGradConfig(reshape: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
      const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      const info = convInfo(x!.shape as Shape4, a.filterShape, a);
      const rows = info.batchSize * info.outHeight * info.outWidth;
      const columns = info.filterHeight * info.filterWidth * info.inChannels;
      const plan = planSplits(rows, columns, info.outChannels);
      const { splits, chunk } = plan;
      const gpu = backend as WebGpuBackend;
      const partials = gpu.runWebGPUProgram(new FilterGradPartialsProgram([splits, columns, info.outChannels], plan), [x!, dy!], 'float32', [
        { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
        { type: 'int32', data: [info.strideHeight, info.strideWidth] },
        { type: 'int32', data: [info.filterWidth] },
        { type: 'int32', data: [info.inChannels] },
        { type: 'int32', data: [rows] },
        { type: 'int32', data: [columns] },
        { type: 'int32', data: [info.outChannels] },
        { type: 'int32', data: [chunk] },
        { type: 'int32', data: [chunk / TILE_P] },
      ]);
      let summed = partials;
      if (splits > 1) {
        summed = gpu.runWebGPUProgram(new SumSplitsProgram([columns, info.outChannels]), [partials], 'float32', [{ type: 'int32', data: [splits] }]);
        gpu.disposeData(partials.dataId);
      }
      const filter = reshape.kernelFunc({ inputs: { x: summed }, backend, attrs: { shape: a.filterShape } }) as tf.TensorInfo;
      gpu.disposeData(summed.dataId);
      return filter;
    },
  };
}

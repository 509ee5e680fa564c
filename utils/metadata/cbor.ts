/**
 * Bounded CBOR decoder (RFC 8949) for C2PA claims, assertions and COSE signatures.
 * Maps become plain objects with string keys; byte strings stay Uint8Array; tags are dropped.
 * Throws a RangeError on malformed input (callers catch); caps depth and item count.
 */
const MAX_DEPTH = 48;
const MAX_ITEMS = 200_000;
const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeCbor(b: Uint8Array): unknown {
  let o = 0;
  let items = 0;
  const need = (n: number) => {
    if (n < 0 || o + n > b.length) throw new RangeError('cbor: truncated');
  };
  const readLen = (info: number): number => {
    if (info < 24) return info;
    if (info === 24) { need(1); return b[o++]; }
    if (info === 25) { need(2); const v = (b[o] << 8) | b[o + 1]; o += 2; return v; }
    if (info === 26) { need(4); const v = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0; o += 4; return v; }
    if (info === 27) {
      need(8);
      let v = 0;
      for (let i = 0; i < 8; i++) v = v * 256 + b[o + i];
      o += 8;
      return v;
    }
    if (info === 31) return -1; // indefinite
    throw new RangeError('cbor: bad length');
  };
  const item = (depth: number): unknown => {
    if (depth > MAX_DEPTH || ++items > MAX_ITEMS) throw new RangeError('cbor: too deep or too large');
    need(1);
    const ib = b[o++];
    const major = ib >> 5;
    const info = ib & 31;
    switch (major) {
      case 0: return readLen(info);
      case 1: return -1 - readLen(info);
      case 2:
      case 3: {
        const len = readLen(info);
        let bytes: Uint8Array;
        if (len < 0) {
          const parts: Uint8Array[] = [];
          while (true) {
            need(1);
            if (b[o] === 0xff) { o++; break; }
            const part = item(depth + 1);
            if (part instanceof Uint8Array) parts.push(part);
            else if (typeof part === 'string') parts.push(new TextEncoder().encode(part));
            else throw new RangeError('cbor: bad chunk');
          }
          const total = parts.reduce((s, p) => s + p.length, 0);
          bytes = new Uint8Array(total);
          let k = 0;
          for (const p of parts) { bytes.set(p, k); k += p.length; }
        } else {
          need(len);
          bytes = b.subarray(o, o + len);
          o += len;
        }
        return major === 2 ? bytes : utf8.decode(bytes);
      }
      case 4: {
        const len = readLen(info);
        const arr: unknown[] = [];
        if (len < 0) {
          while (true) { need(1); if (b[o] === 0xff) { o++; break; } arr.push(item(depth + 1)); }
        } else {
          if (len > b.length - o) throw new RangeError('cbor: array too long');
          for (let i = 0; i < len; i++) arr.push(item(depth + 1));
        }
        return arr;
      }
      case 5: {
        const len = readLen(info);
        const obj: Record<string, unknown> = {};
        const put = () => {
          const k = item(depth + 1);
          const v = item(depth + 1);
          const key = typeof k === 'string' || typeof k === 'number' ? String(k) : JSON.stringify(k);
          if (key !== '__proto__') obj[key] = v;
        };
        if (len < 0) {
          while (true) { need(1); if (b[o] === 0xff) { o++; break; } put(); }
        } else {
          if (len > b.length - o) throw new RangeError('cbor: map too long');
          for (let i = 0; i < len; i++) put();
        }
        return obj;
      }
      case 6: readLen(info); return item(depth + 1);
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22 || info === 23) return null;
        if (info === 24) { need(1); o++; return null; }
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        if (info === 25) { need(2); const h = dv.getUint16(o); o += 2; return half(h); }
        if (info === 26) { need(4); const v = dv.getFloat32(o); o += 4; return v; }
        if (info === 27) { need(8); const v = dv.getFloat64(o); o += 8; return v; }
        if (info < 20) return info;
        throw new RangeError('cbor: bad simple value');
      }
    }
  };
  return item(0);
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

import { admitBytes } from '../image/acquire';
import type { Decoder } from '../image/decode';
import { sha256Hex } from '../image/sha256';
import { computeFingerprint } from '../hash/fingerprint';
import { LIMITS } from '../limits';
import type { RGBAImage } from '../types';
import { downscale } from '../image/resize';
import type { ReferenceRecord, ReferenceSource } from './db';

export type Encoder = (img: RGBAImage, type: 'image/png' | 'image/jpeg', quality?: number) => Promise<Uint8Array>;


/**
 * Turn an original photo file into a library record: SHA-256 of the original, a working copy
 * (JPEG, longest side ≤ workingMaxSide) from which fingerprints can always be recomputed,
 * a thumbnail and the fingerprint. Pure: decoder and encoder come from the platform.
 */
export async function prepareReference(
  bytes: Uint8Array,
  name: string,
  libraryId: string,
  platform: { decode: Decoder; encode: Encoder },
  source: ReferenceSource = { kind: 'photo' },
): Promise<ReferenceRecord> {
  const acq = admitBytes(bytes);
  const [sha256, decoded] = await Promise.all([sha256Hex(bytes), platform.decode(bytes, acq.format, LIMITS.workingMaxSide)]);
  const working = await platform.encode(decoded.image, 'image/jpeg', 0.9);
  const thumb = await platform.encode(downscale(decoded.image, LIMITS.thumbMaxSide), 'image/jpeg', 0.8);
  const fp = computeFingerprint(decoded.image);
  return {
    id: crypto.randomUUID(),
    libraryId,
    name: name.slice(0, 200),
    sha256,
    originalBytes: bytes.length,
    width: decoded.width,
    height: decoded.height,
    addedAt: new Date().toISOString(),
    source,
    working,
    thumb,
    fp,
  };
}

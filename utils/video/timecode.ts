/**
 * Timestamps of video frames as merchants read them: "00:12", "04:59", "1:02:03".
 * Whole seconds, rounded down (a frame at 12.9 s is shown as 00:12, as video players do).
 */
export function formatTimestamp(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** File-name friendly form of the same timestamp: "00m12s", "1h02m03s". */
export function timestampSlug(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}

/** Name of a reference made from a video frame: "packing.webm @ 00:12". */
export function frameReferenceName(video: string, timeMs: number): string {
  return `${video.slice(0, 150)} @ ${formatTimestamp(timeMs)}`;
}

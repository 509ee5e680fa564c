/** Placeholder: filled in by the work on its issue. */
export function VideoImport() {
  return <p className="muted">…</p>;
}

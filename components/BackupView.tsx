/** Placeholder: filled in by the work on its issue. */
export function BackupView() {
  return <p className="muted">…</p>;
}

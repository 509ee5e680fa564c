/** Placeholder: filled in by the work on its issue. */
export function SitesView() {
  return <p className="muted">…</p>;
}

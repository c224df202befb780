/** A run's params as a definition list (secret ones arrive masked from the API). */
export function RunParams({ params }: { params: Record<string, unknown> }) {
  const entries = Object.entries(params);
  if (entries.length === 0) return null;
  return (
    <section className="run-params" aria-label="Params">
      <h3>Params</h3>
      <dl className="facts">
        {entries.map(([k, v]) => (
          <div key={k} className="fact">
            <dt className="mono">{k}</dt>
            <dd className="mono wrap">{v === '' ? <span className="muted">(empty)</span> : String(v)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

import fs from 'node:fs';
import path from 'node:path';

const dashboard = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../deploy/grafana/containerops.json'), 'utf8'),
) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };

/** Every co_* series the API or the worker emits (api/http/metrics.ts, activities/metrics.ts). */
const EMITTED = [
  'co_runs_started_total',
  'co_runs_finished_total',
  'co_http_request_duration_seconds_bucket',
  'co_http_request_duration_seconds_count',
  'co_run_duration_seconds_bucket',
  'co_step_duration_seconds_bucket',
  'co_steps_running',
  'co_log_lines_ingested_total',
];

it('the Grafana dashboard queries only series the platform emits', () => {
  for (const panel of dashboard.panels) {
    expect(panel.targets.length).toBeGreaterThan(0);
    for (const { expr } of panel.targets) {
      for (const series of expr.match(/\bco_\w+/g) ?? []) {
        expect({ panel: panel.title, series, known: EMITTED.includes(series) }).toMatchObject({
          known: true,
        });
      }
    }
  }
});

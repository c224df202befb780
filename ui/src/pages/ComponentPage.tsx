import { Link, useParams } from 'react-router';
import { enc } from '../lib/api';
import { when } from '../lib/format';
import type { ComponentInput } from '../lib/types';
import { useApi } from '../lib/use-api';
import { ErrorBox, Loading } from '../components/feedback';
import { Markdown } from '../components/Markdown';
import { TableHead } from '../components/TableHead';

interface ComponentDetail {
  name: string;
  description: string;
  latest: string | null;
  inputs: ComponentInput[];
  outputs: { name: string; description?: string }[];
  versions: { version: string; digest: string; yanked: boolean; publishedAt: string }[];
  /** the latest version's README (markdown) */
  readme: string | null;
}

function shown(value: unknown): string {
  return value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** One catalog component: how to use it, its inputs and outputs (of the latest version), its versions. */
export function ComponentPage() {
  const { name } = useParams();
  const c = useApi<ComponentDetail>(`/components/${enc(name!)}`);
  if (c.error) return <ErrorBox error={c.error} onRetry={c.reload} />;
  if (!c.data) return <Loading what="Loading the component" />;
  const { data } = c;
  const major = data.latest?.split('.')[0];
  return (
    <div className="page component-page">
      <p className="muted">
        <Link to="/components">Components</Link> /
      </p>
      <h1>{data.name}</h1>
      <p>{data.description}</p>
      {major && (
        <pre className="usage" aria-label="Usage">
          {`- id: my-step\n  uses: ${data.name}@${major}\n  with:\n${data.inputs
            .filter((i) => i.required)
            .map((i) => `    ${i.name}: …`)
            .join('\n')}`}
        </pre>
      )}
      {data.readme && <Markdown source={data.readme} label="README" />}
      <h2>Inputs</h2>
      <table className="table" aria-label="Inputs">
        <TableHead columns={['Name', 'Type', 'Required', 'Default', 'Description']} />
        <tbody>
          {data.inputs.map((i) => (
            <tr key={i.name}>
              <td className="mono">
                {i.name}
                {i.secret ? ' (secret)' : ''}
              </td>
              <td>{i.type === 'enum' && i.values ? i.values.join(' | ') : (i.type ?? 'string')}</td>
              <td>{i.required ? 'yes' : 'no'}</td>
              <td className="mono">{shown(i.default)}</td>
              <td>{i.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Outputs</h2>
      <table className="table" aria-label="Outputs">
        <tbody>
          {data.outputs.map((o) => (
            <tr key={o.name}>
              <th scope="row" className="mono">
                {o.name}
              </th>
              <td>{o.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Versions</h2>
      <table className="table" aria-label="Versions">
        <TableHead columns={['Version', 'Published', 'Digest']} />
        <tbody>
          {data.versions.map((v) => (
            <tr key={v.version}>
              <td>
                {v.version}
                {v.yanked ? ' (yanked)' : v.version === data.latest ? ' (latest)' : ''}
              </td>
              <td>{when(v.publishedAt)}</td>
              <td className="mono wrap">{v.digest}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

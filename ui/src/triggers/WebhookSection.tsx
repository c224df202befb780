import { useState, type FormEvent } from 'react';
import { api, enc } from '../lib/api';
import { when } from '../lib/format';
import { useApi } from '../lib/use-api';
import { ErrorBox } from '../components/feedback';
import { ProblemBox } from '../components/ProblemBox';
import { ConfirmButton } from '../settings/ConfirmButton';
import { DeliveryList } from './DeliveryList';
import { useAction } from '../settings/use-action';

const PROVIDERS = ['github', 'gitlab', 'generic'] as const;

interface HookList {
  url: string;
  items: { provider: string; secretSet: boolean; createdAt: string }[];
}

/**
 * A pipeline's webhook: the URL to give the code host, the connected providers (their signing
 * secrets write-only), and its last deliveries: accepted and rejected, with why.
 */
export function WebhookSection({
  project,
  pipeline,
  editable,
}: {
  project: string;
  pipeline: string;
  editable: boolean;
}) {
  const base = `/projects/${enc(project)}/pipelines/${enc(pipeline)}`;
  const hooks = useApi<HookList>(`${base}/hook`);
  const [provider, setProvider] = useState<(typeof PROVIDERS)[number]>('github');
  const [secret, setSecret] = useState('');
  const action = useAction();

  async function connect(e: FormEvent) {
    e.preventDefault();
    if (await action.run(() => api(`${base}/hook`, { method: 'PUT', body: { provider, secret } }))) {
      setSecret('');
      hooks.reload();
    }
  }
  return (
    <section aria-labelledby="webhook-title">
      <h3 id="webhook-title">Webhook</h3>
      {hooks.error && <ErrorBox error={hooks.error} onRetry={hooks.reload} />}
      {hooks.data && (
        <>
          <p>
            URL for the code host:{' '}
            <code className="wrap" aria-label="Webhook URL">
              {hooks.data.url}
            </code>
          </p>
          {hooks.data.items.length === 0 ? (
            <p className="muted">No code host connected.</p>
          ) : (
            <ul className="plain-list" aria-label="Connected code hosts">
              {hooks.data.items.map((h) => (
                <li key={h.provider}>
                  <strong>{h.provider}</strong>{' '}
                  <span className="muted">since {when(h.createdAt)}, secret set</span>{' '}
                  {editable && (
                    <ConfirmButton
                      label="Disconnect"
                      confirm={`Disconnect ${h.provider}`}
                      onConfirm={() =>
                        action
                          .run(() => api(`${base}/hook/${h.provider}`, { method: 'DELETE' }))
                          .then(hooks.reload)
                      }
                    />
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {editable && (
        <form className="inline-form" onSubmit={connect} aria-label="Connect a code host">
          <div className="fields">
            <label>
              Provider
              <select value={provider} onChange={(e) => setProvider(e.target.value as typeof provider)}>
                {PROVIDERS.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </label>
            <label>
              Signing secret
              <input
                type="password"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
                required
                minLength={16}
                autoComplete="new-password"
              />
            </label>
            <button type="submit" className="btn" disabled={action.busy}>
              Connect
            </button>
          </div>
          {action.error && <ProblemBox error={action.error} />}
        </form>
      )}
      <DeliveryList project={project} pipeline={pipeline} />
    </section>
  );
}

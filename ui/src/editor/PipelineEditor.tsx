import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError } from '../lib/api';
import { listComponents, usesRef } from '../lib/catalog';
import { can } from '../lib/roles';
import { useApi } from '../lib/use-api';
import { useRoute } from '../lib/capabilities';
import type { Component, Page, Pipeline } from '../lib/types';
import { ErrorBox, Loading } from '../components/feedback';
import { useProject } from '../pages/ProjectLayout';
import { RunList } from '../pages/ProjectLists';
import { EditorGraph } from './EditorGraph';
import { Palette, SCRIPT_STEP } from './Palette';
import {
  addNeed,
  addStep,
  NEW_PIPELINE,
  readSteps,
  removeNeed,
  removeStep,
  setInput,
  uniqueStepId,
} from './pipeline-doc';
import { StepForm } from './StepForm';
import { useValidation } from './use-validation';
import { VersionHistory } from './VersionHistory';
import { RunButton } from '../params/RunButton';
import { TriggersPanel } from '../triggers/TriggersPanel';
import { YamlEditor, type LineError } from './YamlEditor';

const PANEL_LABELS = { step: 'Step', history: 'History', runs: 'Runs', triggers: 'Triggers' } as const;

/** `steps[2].with.url` -> the id of steps[2] */
function errorsByStep(errors: LineError[], source: string): Map<string, number> {
  const steps = readSteps(source) ?? [];
  const counts = new Map<string, number>();
  for (const e of errors) {
    const m = /^(steps|finally)\[(\d+)\]/.exec(e.path ?? '');
    const step = m && steps.filter((s) => s.section === m[1])[Number(m[2])];
    if (step) counts.set(step.id, (counts.get(step.id) ?? 0) + 1);
  }
  return counts;
}

export function PipelineEditor() {
  const project = useProject();
  const { name } = useParams();
  const isNew = name === undefined;
  const pipeline = useApi<Pipeline>(
    isNew ? null : `/projects/${project.name}/pipelines/${encodeURIComponent(name)}`,
  );
  if (pipeline.error) return <ErrorBox error={pipeline.error} onRetry={pipeline.reload} />;
  if (!isNew && !pipeline.data) return <Loading what="Loading the pipeline" />;
  return (
    <EditorBody
      key={`${name ?? 'new'}@${pipeline.data?.version ?? 0}`}
      saved={pipeline.data}
      onSaved={pipeline.reload}
      projectName={project.name}
    />
  );
}

function EditorBody({
  saved,
  onSaved,
  projectName,
}: {
  saved: Pipeline | undefined;
  onSaved(): void;
  projectName: string;
}) {
  const project = useProject();
  const navigate = useNavigate();
  const editable = can(project.role, 'write-pipelines');
  const [source, setSource] = useState(saved?.source ?? NEW_PIPELINE);
  const [selected, setSelected] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();
  const [panel, setPanel] = useState<'step' | 'history' | 'runs' | 'triggers'>('step');
  const [catalog, setCatalog] = useState<Component[]>();
  const [catalogError, setCatalogError] = useState<ApiError>();
  const hasSecrets = useRoute('GET', '/projects/{project}/secrets');
  const hasCatalog = useRoute('GET', '/components');
  const secrets = useApi<Page<{ name: string }>>(hasSecrets ? `/projects/${projectName}/secrets` : null);
  const validation = useValidation(projectName, source);
  const steps = useMemo(() => readSteps(source), [source]);
  const [shownSteps, setShownSteps] = useState(steps ?? []);
  // while the text does not parse, the graph keeps its last good shape
  useEffect(() => {
    if (steps) setShownSteps(steps);
  }, [steps]);
  const dirty = source !== (saved?.source ?? NEW_PIPELINE);
  const errors = saveError?.errors.length ? saveError.errors : validation.errors;
  const stepErrors = useMemo(() => errorsByStep(errors, source), [errors, source]);
  const selectedStep = shownSteps.find((s) => s.id === selected);

  useEffect(() => {
    if (hasCatalog === undefined) return;
    if (!hasCatalog) {
      setCatalogError(new ApiError(404, 'no catalog'));
      return;
    }
    const controller = new AbortController();
    listComponents(controller.signal)
      .then(setCatalog)
      .catch((err: unknown) => {
        if ((err as Error).name !== 'AbortError') setCatalogError(err as ApiError);
      });
    return () => controller.abort();
  }, [hasCatalog]);

  const change = (next: string) => {
    setSaveError(undefined);
    setNotice(undefined);
    setSource(next);
  };

  function addComponent(component: Component) {
    const id = uniqueStepId(source, component.name);
    change(addStep(source, { id, uses: usesRef(component) }));
    setSelected(id);
    setPanel('step');
  }

  function addScript() {
    const id = uniqueStepId(source, 'script');
    change(addStep(source, { id, run: `echo "hello from ${id}"` }));
    setSelected(id);
    setPanel('step');
  }

  async function save() {
    setSaving(true);
    setSaveError(undefined);
    try {
      const result = saved
        ? await api<Pipeline>(`/projects/${projectName}/pipelines/${saved.name}`, {
            method: 'PUT',
            yaml: source,
          })
        : await api<Pipeline>(`/projects/${projectName}/pipelines`, { method: 'POST', yaml: source });
      if (saved) onSaved();
      else navigate(`/projects/${projectName}/pipelines/${result.name}`, { replace: true });
      setNotice(`Saved as version ${result.version}.`);
    } catch (err) {
      setSaveError(err as ApiError);
    } finally {
      setSaving(false);
    }
  }

  const canSave = editable && validation.state === 'valid' && dirty && !saving && !saveError;
  const statusText = {
    checking: 'Checking…',
    valid: 'Valid',
    invalid: `${errors.length} error${errors.length === 1 ? '' : 's'}`,
    unknown: 'Cannot validate right now',
  }[saveError ? 'invalid' : validation.state];

  return (
    <div className="editor">
      <div className="editor-head">
        <h2>
          {saved ? (
            <>
              {saved.name} <span className="muted">v{saved.version}</span>
            </>
          ) : (
            'New pipeline'
          )}
        </h2>
        <span
          className={`validity validity-${saveError ? 'invalid' : validation.state}`}
          role="status"
          aria-live="polite"
          data-testid="validity"
        >
          {statusText}
        </span>
        <div className="editor-actions">
          {notice && !dirty && <span className="notice">{notice}</span>}
          {editable && (
            <button type="button" className="btn btn-primary" disabled={!canSave} onClick={save}>
              {saving ? 'Saving…' : saved ? 'Save new version' : 'Save pipeline'}
            </button>
          )}
          {saved && can(project.role, 'run') && (
            <RunButton
              project={projectName}
              pipeline={saved.name}
              params={saved.plan?.params ?? []}
              memoized={[...(saved.plan?.nodes ?? []), ...(saved.plan?.finally ?? [])].some((n) => n.memoize)}
              disabled={dirty}
              title={dirty ? 'Save first' : undefined}
            />
          )}
        </div>
      </div>
      {saveError && !saveError.errors.length && <ErrorBox error={saveError} />}
      {!editable && <p className="muted">Your role can read this pipeline but not change it.</p>}
      <div className="editor-body">
        <Palette
          items={catalog}
          error={catalogError}
          onAdd={addComponent}
          onAddScript={addScript}
          disabled={!editable}
        />
        <div className="editor-yaml">
          <YamlEditor value={source} onChange={change} errors={errors} readOnly={!editable} />
          {errors.length > 0 && (
            <ul className="error-list" aria-label="Errors">
              {errors.map((e, i) => (
                <li key={i}>
                  {e.line !== undefined && <span className="error-line">line {e.line}</span>}
                  {e.path && <code>{e.path}</code>} {e.message}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="editor-side">
          <EditorGraph
            steps={shownSteps}
            selected={selected}
            errorsByStep={stepErrors}
            readOnly={!editable}
            onSelect={(id) => {
              setSelected(id);
              if (id) setPanel('step');
            }}
            onConnect={(from, to) => change(addNeed(source, to, from))}
            onDisconnect={(from, to) => change(removeNeed(source, to, from))}
            onRemove={(id) => change(removeStep(source, id))}
            onDropComponent={(componentName) => {
              if (componentName === SCRIPT_STEP) return addScript();
              const c = catalog?.find((x) => x.name === componentName);
              if (c) addComponent(c);
            }}
          />
          <div className="tabs small" role="tablist" aria-label="Editor panels">
            {(['step', 'history', 'runs', 'triggers'] as const).map((p) => (
              <button
                key={p}
                type="button"
                role="tab"
                aria-selected={panel === p}
                onClick={() => setPanel(p)}
              >
                {PANEL_LABELS[p]}
              </button>
            ))}
          </div>
          <div role="tabpanel">
            {panel === 'step' &&
              (selectedStep ? (
                <StepForm
                  step={selectedStep}
                  catalog={catalog}
                  secrets={secrets.data?.items.map((s) => s.name)}
                  readOnly={!editable}
                  onInput={(input, value) => change(setInput(source, selectedStep.id, input, value))}
                  onRemove={() => {
                    change(removeStep(source, selectedStep.id));
                    setSelected(undefined);
                  }}
                />
              ) : (
                <p className="muted">Select a step on the graph to edit its inputs.</p>
              ))}
            {panel === 'history' &&
              (saved ? (
                <VersionHistory
                  base={`/projects/${projectName}/pipelines/${saved.name}`}
                  latest={saved.version}
                />
              ) : (
                <p className="muted">Versions appear once the pipeline is saved.</p>
              ))}
            {panel === 'runs' &&
              (saved ? <RunList pipeline={saved.name} /> : <p className="muted">No runs yet.</p>)}
            {panel === 'triggers' &&
              (saved ? (
                <TriggersPanel project={projectName} role={project.role} pipeline={saved.name} />
              ) : (
                <p className="muted">Webhooks and schedules can be set once the pipeline is saved.</p>
              ))}
          </div>
        </div>
      </div>
      <p className="muted small-print">
        <Link to={`/projects/${projectName}/pipelines`}>All pipelines</Link>
      </p>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { getComponent } from '../lib/catalog';
import type { Component, ComponentInput } from '../lib/types';
import type { DocStep } from './pipeline-doc';

function parseUses(uses: string): { name: string; range: string } {
  const at = uses.lastIndexOf('@');
  return at > 0 ? { name: uses.slice(0, at), range: uses.slice(at + 1) } : { name: uses, range: '' };
}

function fromText(input: ComponentInput, text: string): unknown {
  if (text === '') return undefined;
  if (text.includes('${{')) return text;
  if (input.type === 'integer' && /^-?\d+$/.test(text)) return Number(text);
  if (input.type === 'number' && text.trim() !== '' && !Number.isNaN(Number(text))) return Number(text);
  return text;
}

/** The selected step's `with:` as a form generated from its component's inputs. */
export function StepForm({
  step,
  catalog,
  secrets,
  readOnly,
  onInput,
  onRemove,
}: {
  step: DocStep;
  catalog: Component[] | undefined;
  secrets: string[] | undefined;
  readOnly: boolean;
  onInput(name: string, value: unknown): void;
  onRemove(): void;
}) {
  const [component, setComponent] = useState<Component>();
  const [error, setError] = useState<string>();
  const uses = step.uses ? parseUses(step.uses) : undefined;
  const summary = catalog?.find((c) => c.name === uses?.name);

  useEffect(() => {
    setComponent(undefined);
    setError(undefined);
    if (!uses || !summary) return;
    let live = true;
    getComponent(summary.name, summary.version)
      .then((c) => live && setComponent(c))
      .catch((err: Error) => live && setError(err.message));
    return () => {
      live = false;
    };
  }, [uses?.name, summary?.version]);

  return (
    <section className="step-form" aria-labelledby="step-form-title">
      <div className="section-head">
        <h3 id="step-form-title">Step {step.id}</h3>
        {!readOnly && (
          <button type="button" className="btn btn-quiet btn-small" onClick={onRemove}>
            Remove step
          </button>
        )}
      </div>
      {step.uses && <p className="mono muted">uses: {step.uses}</p>}
      {step.run !== undefined && <p className="muted">A script step: edit its script in the YAML.</p>}
      {step.approval && <p className="muted">An approval step: edit its approvers in the YAML.</p>}
      {uses && !summary && catalog && <p className="field-error">{uses.name} is not in the catalog.</p>}
      {error && <p className="field-error">{error}</p>}
      {uses && summary && !component && !error && <p className="muted">Loading inputs…</p>}
      {component && (
        <form className="inputs" onSubmit={(e) => e.preventDefault()} aria-label={`Inputs of ${step.id}`}>
          {(component.inputs ?? []).length === 0 && <p className="muted">This component takes no inputs.</p>}
          {(component.inputs ?? []).map((input) => (
            <InputField
              key={`${step.id}-${input.name}`}
              input={input}
              value={step.with[input.name]}
              secrets={secrets}
              readOnly={readOnly}
              onChange={(v) => onInput(input.name, v)}
            />
          ))}
        </form>
      )}
    </section>
  );
}

function InputField({
  input,
  value,
  secrets,
  readOnly,
  onChange,
}: {
  input: ComponentInput;
  value: unknown;
  secrets: string[] | undefined;
  readOnly: boolean;
  onChange(value: unknown): void;
}) {
  const id = `input-${input.name}`;
  const text =
    value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const [draft, setDraft] = useState(text);
  useEffect(() => setDraft(text), [text]);
  const label = (
    <label htmlFor={id}>
      {input.name}
      {input.required && (
        <span className="required" aria-label="required">
          {' '}
          *
        </span>
      )}
      <span className="input-type">{input.secret ? 'secret' : (input.type ?? 'string')}</span>
    </label>
  );
  const help = input.description ? (
    <p className="help" id={`${id}-help`}>
      {input.description}
    </p>
  ) : null;
  const common = {
    id,
    disabled: readOnly,
    required: input.required,
    'aria-describedby': input.description ? `${id}-help` : undefined,
  };

  if (input.secret) {
    const selected = /^\$\{\{\s*secrets\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(text)?.[1] ?? '';
    return (
      <div className="field">
        {label}
        <select
          {...common}
          value={selected}
          onChange={(e) => onChange(e.target.value ? `\${{ secrets.${e.target.value} }}` : undefined)}
        >
          <option value="">{secrets === undefined ? 'No secrets available' : '— choose a secret —'}</option>
          {secrets?.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {help}
      </div>
    );
  }
  if (input.type === 'boolean') {
    return (
      <div className="field field-check">
        <input
          {...common}
          type="checkbox"
          checked={value === true || value === 'true'}
          onChange={(e) => onChange(e.target.checked ? true : input.default === true ? false : undefined)}
        />
        {label}
        {help}
      </div>
    );
  }
  if (input.type === 'enum') {
    return (
      <div className="field">
        {label}
        <select {...common} value={text} onChange={(e) => onChange(e.target.value || undefined)}>
          <option value="">
            {input.default !== undefined ? `default: ${String(input.default)}` : '— choose —'}
          </option>
          {(input.values ?? []).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        {help}
      </div>
    );
  }
  const structured = input.type === 'list' || input.type === 'object';
  return (
    <div className="field">
      {label}
      {structured ? (
        <textarea
          {...common}
          rows={3}
          value={draft}
          placeholder={input.type === 'list' ? '["a", "b"]' : '{"key": "value"}'}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => {
            try {
              onChange(draft === '' ? undefined : JSON.parse(draft));
            } catch {
              onChange(draft);
            }
          }}
        />
      ) : (
        <input
          {...common}
          type="text"
          inputMode={input.type === 'integer' || input.type === 'number' ? 'numeric' : undefined}
          value={draft}
          placeholder={input.default !== undefined ? `default: ${String(input.default)}` : undefined}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => draft !== text && onChange(fromText(input, draft))}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && draft !== text) onChange(fromText(input, draft));
          }}
        />
      )}
      {help}
    </div>
  );
}

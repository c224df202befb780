import type { ProblemError } from '../lib/api';
import type { PlanParam } from '../lib/types';

/** A boolean-looking default offers the two values instead of free text. */
function isBoolean(p: PlanParam): boolean {
  return p.default === 'true' || p.default === 'false';
}

/** The API names a param's error `params.NAME`. */
export function paramError(errors: ProblemError[], name: string): string | undefined {
  return errors.find((e) => e.path === `params.${name}`)?.message;
}

/** One labelled field per declared param: required marked, default shown, secret masked. */
export function ParamFields({
  params,
  values,
  errors,
  onChange,
}: {
  params: PlanParam[];
  values: Record<string, string>;
  errors: ProblemError[];
  onChange(name: string, value: string): void;
}) {
  return (
    <div className="param-fields">
      {params.map((p) => {
        const id = `param-${p.name}`;
        const error = paramError(errors, p.name);
        const describedBy = [p.description && `${id}-help`, error && `${id}-error`].filter(Boolean).join(' ');
        const common = {
          id,
          name: p.name,
          value: values[p.name] ?? '',
          required: p.required,
          'aria-invalid': error ? true : undefined,
          'aria-describedby': describedBy || undefined,
        };
        return (
          <div className="param-field" key={p.name}>
            <label htmlFor={id}>
              <span className="mono">{p.name}</span>
              {p.required && <span aria-hidden="true"> *</span>}
              {p.required && <span className="visually-hidden"> (required)</span>}
            </label>
            {isBoolean(p) ? (
              <select {...common} onChange={(e) => onChange(p.name, e.target.value)}>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            ) : (
              <input
                {...common}
                type={p.secret ? 'password' : 'text'}
                autoComplete="off"
                placeholder={p.default ? `default: ${p.default}` : undefined}
                onChange={(e) => onChange(p.name, e.target.value)}
              />
            )}
            {p.description && (
              <small id={`${id}-help`} className="hint">
                {p.description}
              </small>
            )}
            {error && (
              <small id={`${id}-error`} className="field-error">
                {error}
              </small>
            )}
          </div>
        );
      })}
    </div>
  );
}

/** The form's first values: what the run had (a rerun) or each param's default. */
export function initialParamValues(
  params: PlanParam[],
  previous: Record<string, unknown> = {},
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const p of params) {
    const before = previous[p.name];
    // a secret's earlier value is never shown (the API answers '***'): the user types it again
    if (typeof before === 'string' && !(p.secret && before === '***')) values[p.name] = before;
    else values[p.name] = p.secret ? '' : (p.default ?? '');
  }
  return values;
}

import { inputEnvName, inputText, inputValues, literalProblem } from '../pipeline';
import type { ResolvedComponent } from './nucleus/components';

export interface ComponentLaunch {
  script?: string;
  image?: string;
  /** the component's own env: the step's env overrides it */
  baseEnv: Record<string, string>;
  /** INPUT_<NAME> for every input with a value, CO_DATA, CO_COMPONENT_DIR */
  env: Record<string, string>;
  /** values of secret inputs, masked in logs */
  secretValues: string[];
  /** variables of `env` that hold secret input values: runtimes keep them out of pod specs */
  secretEnvNames: string[];
  requires: string[];
  /** the component runs as a host process where the step would run in a container */
  host: boolean;
  /** why the rendered inputs cannot run (an expression resolved to a value of the wrong type) */
  problem?: string;
}

/** `with:` as original ContainerOps components read it: space-separated key=value. */
export function coData(data: Record<string, string>): string {
  return Object.entries(data)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** How a resolved component runs with the step's rendered `with:` values. */
export function componentLaunch(component: ResolvedComponent, data: Record<string, string>): ComponentLaunch {
  const { spec } = component;
  const label = `${component.name}@${component.version}`;
  const values = inputValues(spec.inputs, data, inputText);
  const env: Record<string, string> = {};
  const secretValues: string[] = [];
  const secretEnvNames: string[] = [];
  const problems: string[] = [];
  for (const input of spec.inputs) {
    const value = values[input.name];
    if (value === undefined) {
      if (input.required) problems.push(`input ${input.name} of ${label} is required`);
      continue;
    }
    const problem = literalProblem(input, value);
    if (problem) problems.push(`input ${input.name} of ${label}: ${problem}`);
    env[inputEnvName(input.name)] = value;
    if (input.secret && value !== '') {
      secretValues.push(value);
      secretEnvNames.push(inputEnvName(input.name));
    }
  }
  env.CO_DATA = coData(values);
  if (secretEnvNames.length) secretEnvNames.push('CO_DATA');
  if (component.dir) env.CO_COMPONENT_DIR = component.dir;
  return {
    script: spec.run,
    image: component.image ?? spec.image,
    baseEnv: { ...spec.env },
    env,
    secretValues,
    secretEnvNames,
    requires: spec.requires ?? [],
    host: spec.host ?? false,
    problem: problems.length ? problems.join('; ') : undefined,
  };
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hasMarker, markerPattern, referencesIn } from '../../pipeline/secrets';
import { kubeconfigOf, serviceEnvPrefix } from '../../contract/service-types';
import { SecretResolutionError, type Vault } from './vault';

export interface StepSecrets {
  /** the step's env without any variable that holds a secret */
  env: Record<string, string>;
  /** variables holding secret values: the runtime merges them in (Kubernetes: a per-attempt Secret) */
  secretEnv: Record<string, string>;
  /** every injected secret value, for masking logs and outputs */
  values: string[];
  /** a value with its reference markers swapped for the secrets they name (for a keyed digest only) */
  resolve(value: string): string;
  /** removes what injection wrote to disk (kubeconfig files) */
  cleanup(): Promise<void>;
}

export interface InjectionTarget {
  project: string;
  runId: string;
  stepId: string;
  /** rendered env, with `${{ secrets.X }}` and secret params still as reference markers */
  env: Record<string, string>;
  services: string[];
  /** where per-attempt credential files go (0700 directory, 0600 files, removed by cleanup) */
  secretsDir: string;
}

/** Resolves the step's secret references and services into env, inside the activity only. */
export async function injectSecrets(vault: Vault, target: InjectionTarget): Promise<StepSecrets> {
  const refs = referencesIn(target.env);
  const wantsSecrets = refs.some((r) => r.kind === 'secrets') || target.services.length > 0;
  if (wantsSecrets && (await vault.forkRun(target.runId))) {
    throw new SecretResolutionError(
      'this run is of a pull request from a fork: it gets no project secrets or service credentials',
    );
  }
  if (refs.length) {
    const allowed = await vault.allowedReferences(target.runId, target.stepId);
    const forged = refs.filter((r) => !allowed.has(`${r.kind}.${r.name}`));
    if (forged.length) {
      throw new SecretResolutionError(
        `the step's environment refers to ${forged.map((r) => `${r.kind}.${r.name}`).join(', ')}, which the pipeline does not give this step (a value carried a secret reference)`,
      );
    }
  }
  const projectSecrets = await vault.secrets(
    target.project,
    refs.filter((r) => r.kind === 'secrets').map((r) => r.name),
  );
  const params = await vault.runParams(
    target.runId,
    refs.filter((r) => r.kind === 'params').map((r) => r.name),
  );
  const services = await vault.services(target.project, target.services);

  const env: Record<string, string> = {};
  const secretEnv: Record<string, string> = {};
  const values = [...projectSecrets.values(), ...params.values()];
  // a marker whose secret this step was not given (none in its env) stays a marker
  const resolve = (value: string) =>
    value.replace(
      markerPattern(),
      (m, kind: string, ref: string) => (kind === 'secrets' ? projectSecrets.get(ref) : params.get(ref)) ?? m,
    );
  for (const [name, value] of Object.entries(target.env)) {
    if (!hasMarker(value)) {
      env[name] = value;
      continue;
    }
    secretEnv[name] = resolve(value);
  }

  let dir: string | undefined;
  const clusters: string[] = [];
  for (const service of services) {
    const prefix = serviceEnvPrefix(service.name);
    env[`${prefix}URL`] = service.url;
    const { token, username, password } = service.credentials;
    if (token !== undefined) secretEnv[`${prefix}TOKEN`] = token;
    if (username !== undefined) secretEnv[`${prefix}USERNAME`] = username;
    if (password !== undefined) secretEnv[`${prefix}PASSWORD`] = password;
    values.push(...Object.values(service.credentials).filter((v): v is string => typeof v === 'string'));
    if (service.type === 'kubernetes-cluster') {
      dir ??= await makePrivateDir(target.secretsDir);
      const file = path.join(dir, `${service.name}.kubeconfig`);
      const kubeconfig = kubeconfigOf(service.name, service.url, service.credentials, service.config);
      await fs.promises.writeFile(file, kubeconfig, { mode: 0o600 });
      env[`${prefix}KUBECONFIG`] = file;
      clusters.push(file);
    }
  }
  // kubectl and client libraries read KUBECONFIG: with one cluster service there is no ambiguity
  if (clusters.length === 1 && target.env.KUBECONFIG === undefined) env.KUBECONFIG = clusters[0]!;

  const created = dir;
  return {
    env,
    secretEnv,
    values,
    resolve,
    cleanup: async () => {
      if (created) await fs.promises.rm(created, { recursive: true, force: true });
    },
  };
}

async function makePrivateDir(parent: string): Promise<string> {
  await fs.promises.mkdir(parent, { recursive: true, mode: 0o700 });
  const dir = path.join(parent, crypto.randomUUID());
  await fs.promises.mkdir(dir, { mode: 0o700 });
  return dir;
}

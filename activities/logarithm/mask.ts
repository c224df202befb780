export { base64Forms, maskedForms, secretMasker, type Masker } from '../../lib/secret-mask';

/** Values of variables whose names match the secret pattern (CO_SECRET_ENV_PATTERN). */
export function secretValuesOf(env: Record<string, string>, namePattern: string): string[] {
  const re = new RegExp(namePattern, 'i');
  return Object.entries(env)
    .filter(([name]) => re.test(name))
    .map(([, value]) => value);
}

/** Separates the variables whose names match the secret pattern, so runtimes can keep them out of specs. */
export function splitSecretEnv(
  env: Record<string, string>,
  namePattern: string,
): { env: Record<string, string>; secretEnv: Record<string, string> } {
  const re = new RegExp(namePattern, 'i');
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) (re.test(name) ? secret : plain)[name] = value;
  return { env: plain, secretEnv: secret };
}

/** Replaces every occurrence of a secret value with `***`. Values shorter than 4 characters are not masked (too many false hits). */
export function secretMasker(values: Iterable<string>): (line: string) => string {
  const secrets = [...new Set(values)].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (line) => line;
  const pattern = new RegExp(secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (line) => line.replace(pattern, '***');
}

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

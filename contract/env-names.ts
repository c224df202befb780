/** The env name of a param or matrix value: `<PREFIX>_<NAME>` upper-cased, non-alphanumerics as `_`. */
export function envName(prefix: 'PARAM' | 'MATRIX', name: string): string {
  return `${prefix}_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

import { isDeepStrictEqual } from 'node:util';
import type { FieldError } from '../../lib/errors';
import { CREDENTIAL_DESTINATION_CONFIG, type ServiceType } from '../../contract/service-types';

export interface ServiceDestination {
  url: string;
  config: Record<string, unknown>;
}

/** `https://API.example.org` and `https://api.example.org/` are one address. */
function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/**
 * The fields of an update that decide where a service's stored credentials are sent: the URL
 * (scheme, host, port, path) and, per type, the TLS trust that decides which server may
 * receive them. Changing one of them without sending the credentials again would let whoever
 * may edit the service (a maintainer) send the owner's credentials to a host of their choice.
 */
export function credentialBindingErrors(
  type: ServiceType,
  stored: ServiceDestination,
  wanted: { url?: string; config?: Record<string, unknown> },
): FieldError[] {
  const errors: FieldError[] = [];
  const again = 'send the credentials again with it (the stored ones stay bound to the current value)';
  if (wanted.url !== undefined && !sameUrl(wanted.url, stored.url))
    errors.push({ path: 'url', message: `changing url moves where the credentials go: ${again}` });
  for (const field of CREDENTIAL_DESTINATION_CONFIG[type] ?? []) {
    if (wanted.config === undefined) continue;
    if (!isDeepStrictEqual(wanted.config[field], stored.config[field]))
      errors.push({
        path: `config.${field}`,
        message: `changing config.${field} decides which server receives the credentials: ${again}`,
      });
  }
  return errors;
}

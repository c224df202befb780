import { z } from 'zod';

/**
 * The third-party service types a project can register (scaler): the URL each one needs, the
 * credential fields it accepts (sealed at rest, never returned), its plain config, and what a
 * step that lists the service gets. The API validates with these schemas; the step activity
 * injects with them.
 */

/** A URL is shown to developers and injected unmasked: credentials in it would be neither sealed nor hidden. */
const noUserinfo = (url: string) => {
  try {
    const u = new URL(url);
    return u.username === '' && u.password === '';
  } catch {
    return true;
  }
};
const userinfoMessage = 'must not hold a user name or password (user:pass@): give them in credentials';
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2048, 'must be at most 2048 characters')
  .refine(noUserinfo, userinfoMessage);
const smtpUrl = z
  .url({
    protocol: /^smtps?$/,
    error: 'must be an smtp:// or smtps:// URL, e.g. smtp://mail.example.org:587',
  })
  .max(2048)
  .refine(noUserinfo, userinfoMessage);
const credential = z.string().min(1).max(16_384);
const pem = z.string().min(1).max(65_536);

const tokenOnly = z.strictObject({ token: credential });
const userPassword = { username: credential.optional(), password: credential.optional() };

export const SERVICE_TYPES = {
  'generic-http': {
    url: httpUrl,
    credentials: z
      .strictObject({ token: credential.optional(), ...userPassword })
      .refine((c) => !(c.token && (c.username || c.password)), {
        message: 'give either token or username/password, not both',
      }),
    config: z.strictObject({
      /** path the check requests, relative to url */
      healthPath: z.string().max(1024).startsWith('/').optional(),
    }),
    defaultUrl: undefined,
  },
  github: {
    url: httpUrl,
    credentials: tokenOnly,
    config: z.strictObject({}),
    defaultUrl: 'https://api.github.com',
  },
  gitlab: {
    url: httpUrl,
    credentials: tokenOnly,
    config: z.strictObject({}),
    defaultUrl: 'https://gitlab.com',
  },
  /** the server's base URL (its API is under /api/v1), a token of a user who may admin the repositories */
  gitea: {
    url: httpUrl,
    credentials: tokenOnly,
    config: z.strictObject({}),
    defaultUrl: undefined,
  },
  slack: {
    url: httpUrl,
    credentials: tokenOnly,
    config: z.strictObject({ channel: z.string().max(255).optional() }),
    defaultUrl: 'https://slack.com/api',
  },
  smtp: {
    url: smtpUrl,
    credentials: z.strictObject(userPassword),
    config: z.strictObject({ from: z.email().optional() }),
    defaultUrl: undefined,
  },
  'oci-registry': {
    url: httpUrl,
    credentials: z.strictObject({ token: credential.optional(), ...userPassword }),
    config: z.strictObject({}),
    defaultUrl: undefined,
  },
  'kubernetes-cluster': {
    url: httpUrl,
    credentials: z
      .strictObject({
        token: credential.optional(),
        clientCertificate: pem.optional(),
        clientKey: pem.optional(),
      })
      .refine((c) => !c.clientCertificate === !c.clientKey, {
        message: 'clientCertificate and clientKey go together',
      }),
    config: z.strictObject({
      /** PEM of the API server's certificate authority */
      certificateAuthority: pem.optional(),
      namespace: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
        .max(63)
        .optional(),
      insecureSkipTlsVerify: z.boolean().optional(),
    }),
    defaultUrl: undefined,
  },
  sonarqube: {
    url: httpUrl,
    credentials: tokenOnly,
    config: z.strictObject({}),
    defaultUrl: undefined,
  },
} as const;

export type ServiceType = keyof typeof SERVICE_TYPES;

/**
 * Config fields that decide which server receives a service's credentials (besides its url):
 * a maintainer who changes one must send the credentials again.
 */
export const CREDENTIAL_DESTINATION_CONFIG: Partial<Record<ServiceType, readonly string[]>> = {
  'kubernetes-cluster': ['certificateAuthority', 'insecureSkipTlsVerify'],
};
export const SERVICE_TYPE_NAMES = Object.keys(SERVICE_TYPES) as [ServiceType, ...ServiceType[]];

export interface ServiceCredentials {
  token?: string;
  username?: string;
  password?: string;
  clientCertificate?: string;
  clientKey?: string;
}

export type ServiceConfig = Record<string, unknown> & {
  healthPath?: string;
  certificateAuthority?: string;
  namespace?: string;
  insecureSkipTlsVerify?: boolean;
};

/** `prod-cluster` -> `CO_SERVICE_PROD_CLUSTER_` */
export function serviceEnvPrefix(name: string): string {
  return `CO_SERVICE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/** A kubeconfig for a kubernetes-cluster service, as kubectl and @kubernetes/client-node read it. */
export function kubeconfigOf(
  name: string,
  url: string,
  credentials: ServiceCredentials,
  config: ServiceConfig,
): string {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const cluster: Record<string, unknown> = { server: url };
  if (config.certificateAuthority) cluster['certificate-authority-data'] = b64(config.certificateAuthority);
  if (config.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
  const user: Record<string, unknown> = {};
  if (credentials.token) user.token = credentials.token;
  if (credentials.clientCertificate) user['client-certificate-data'] = b64(credentials.clientCertificate);
  if (credentials.clientKey) user['client-key-data'] = b64(credentials.clientKey);
  const context: Record<string, unknown> = { cluster: name, user: name };
  if (config.namespace) context.namespace = config.namespace;
  // JSON is YAML: no YAML library needed, and every value is quoted safely
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{ name, context }],
    'current-context': name,
  });
}

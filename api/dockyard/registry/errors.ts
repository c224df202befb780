import type { Response } from 'express';

/** OCI distribution error codes (spec "Error Codes"), plus the HTTP status each is sent with. */
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'RANGE_INVALID'
  | 'QUOTA_EXCEEDED'
  | 'PAGINATION_NUMBER_INVALID'
  | 'TOOMANYREQUESTS';

export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: RegistryErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const blobUnknown = (digest: string) =>
  new RegistryError(404, 'BLOB_UNKNOWN', `blob ${digest} unknown`);
export const manifestUnknown = (ref: string) =>
  new RegistryError(404, 'MANIFEST_UNKNOWN', `manifest ${ref} unknown`);
export const nameUnknown = (name: string) =>
  new RegistryError(404, 'NAME_UNKNOWN', `repository ${name} not known to registry`);
export const digestInvalid = (detail: string) => new RegistryError(400, 'DIGEST_INVALID', detail);
export const uploadUnknown = () => new RegistryError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown');

export function sendRegistryError(res: Response, err: RegistryError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json({ errors: [{ code: err.code, message: err.message }] });
}

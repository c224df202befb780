import { ApiError, apiUrl, authHeaders } from './api';

/**
 * Downloads an API resource with the session's token (a plain link would carry no credential)
 * and hands it to the browser as a file named `filename`.
 */
export async function downloadWithToken(path: string, filename: string): Promise<void> {
  const res = await fetch(apiUrl(path), { headers: authHeaders() });
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    throw new ApiError(res.status, problem.detail ?? problem.title ?? `${res.status} ${res.statusText}`);
  }
  saveBlob(await res.blob(), filename);
}

/** Offers `blob` as a download without leaving the page. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // the click has handed the blob to the browser's download; release it once that has begun
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

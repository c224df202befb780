/** An error with an HTTP status and a problem+json body; anything else is a 500 with no detail. */
export interface FieldError {
  path: string;
  message: string;
  line?: number;
  col?: number;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? title);
  }
}

export const notFound = (what: string) => new HttpError(404, 'Not Found', `${what} not found`);
export const conflict = (detail: string) => new HttpError(409, 'Conflict', detail);
export const invalid = (detail: string, errors?: FieldError[]) =>
  new HttpError(422, 'Unprocessable Content', detail, errors);
export const forbidden = (detail = 'not allowed') => new HttpError(403, 'Forbidden', detail);
export const unauthorized = (detail = 'authentication required') =>
  new HttpError(401, 'Unauthorized', detail);

// The one place where herd's named errors become HTTP statuses (ollama-spec §18).

import {
  BadRequestError,
  CanceledError,
  CloudUnavailableError,
  InvalidOptionError,
  NotFoundError,
  PayloadTooLargeError,
  QueueFullError,
  UnauthorizedError,
} from "../util/errors.js";

export function statusOf(err: unknown): number {
  if (err instanceof BadRequestError) return 400;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof QueueFullError) return 503;
  if (err instanceof PayloadTooLargeError) return 413;
  if (err instanceof CanceledError) return 499;
  if (err instanceof UnauthorizedError) return 401;
  if (err instanceof CloudUnavailableError) return 403;
  if (err instanceof InvalidOptionError) return 500;
  if (err instanceof SyntaxError) return 400;
  return 500;
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

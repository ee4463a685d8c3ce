// OpenAI's error body: {"error":{"message","type","param","code"}} (ollama-spec §2). The status comes
// from the one mapping in server/errors.ts.

import { messageOf, statusOf } from "../../errors.js";

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: null; code: string | null };
}

export function openaiErrorType(status: number): string {
  if (status === 400) return "invalid_request_error";
  if (status === 404) return "not_found_error";
  return "api_error";
}

export function openaiErrorBody(message: string, status: number): OpenAIErrorBody {
  return { error: { message, type: openaiErrorType(status), param: null, code: null } };
}

export function openaiErrorResponse(err: unknown): Response {
  const status = statusOf(err);
  return Response.json(openaiErrorBody(messageOf(err), status), { status });
}

// Anthropic's error body: {"type":"error","error":{"type","message"},"request_id"} (ollama-spec §2.7).

import { messageOf, statusOf } from "../../errors.js";
import { hexId } from "../ids.js";

export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
  request_id: string;
}

export function anthropicErrorBody(message: string, status: number, requestId = hexId("req_", 24)): AnthropicErrorBody {
  return { type: "error", error: { type: anthropicErrorType(status), message }, request_id: requestId };
}

/** The body and a `request-id` header, which the SDK exposes as `requestID`. */
export function anthropicErrorResponse(err: unknown): Response {
  const status = statusOf(err);
  const body = anthropicErrorBody(messageOf(err), status);
  return Response.json(body, { status, headers: { "request-id": body.request_id } });
}

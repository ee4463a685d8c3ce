// Errors raised by the template layer. Both are 400s: a template that does not parse or execute is
// the client's input (Modelfile TEMPLATE, request template) or the model's data.

import { BadRequestError } from "../util/errors.js";

/** A Go template that fails to parse or execute; message reads `template error: <detail>`. */
export class TemplateError extends BadRequestError {
  override name = "TemplateError";
  /** The detail without the `template error: ` prefix, e.g. `template: :3:7: unexpected EOF`. */
  readonly detail: string;
  constructor(detail: string) {
    super(`template error: ${detail}`);
    this.detail = detail;
  }
}

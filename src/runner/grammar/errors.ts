import { BadRequestError } from "../../util/errors.js";

/**
 * A `format` schema the grammar cannot express exactly (an unsupported keyword, regex feature or
 * combination), or one no value can satisfy. A 400: herd never drops a constraint silently.
 */
export class SchemaGrammarError extends BadRequestError {
  override name = "SchemaGrammarError";
  constructor(detail: string) {
    super(`invalid JSON schema in format: ${detail}`);
  }
}

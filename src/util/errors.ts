// Named errors shared by every layer. Messages are Ollama's exact strings (ollama-spec §18);
// `server/errors.ts` maps each class to its HTTP status in one place.

/** Base class: anything herd throws on purpose. */
export class HerdError extends Error {
  override name = "HerdError";
}

/** Malformed or invalid input (400). */
export class BadRequestError extends HerdError {
  override name = "BadRequestError";
}

export class InvalidModelNameError extends BadRequestError {
  override name = "InvalidModelNameError";
  constructor(message = "invalid model name") {
    super(message);
  }
}

/** A capability the model lacks (400): `"<model>" does not support thinking` etc. */
export class CapabilityError extends BadRequestError {
  override name = "CapabilityError";
}

/**
 * The model has a vision projector but this installation cannot run it (libmtmd not built). 400: the
 * request can be sent without images; the message says how to enable vision.
 */
export class VisionUnavailableError extends BadRequestError {
  override name = "VisionUnavailableError";
  constructor(reason: string) {
    super(`images cannot be used on this server: ${reason}`);
  }
}

/** ollama.com's cloud (models, web search, accounts), which herd does not offer: Ollama's 403 with its cloud disabled. */
export class CloudUnavailableError extends HerdError {
  override name = "CloudUnavailableError";
  constructor(what: string) {
    super(`ollama cloud is disabled: ${what}`);
  }
}

/** 404 family. */
export class NotFoundError extends HerdError {
  override name = "NotFoundError";
}

export class ModelNotFoundError extends NotFoundError {
  override name = "ModelNotFoundError";
  constructor(
    readonly model: string,
    message = `model '${model}' not found`,
  ) {
    super(message);
  }
}

export class BlobNotFoundError extends NotFoundError {
  override name = "BlobNotFoundError";
  constructor(readonly digest: string) {
    super(`blob "${digest}" not found`);
  }
}

/** 503: the scheduler's queue is full. */
/** A request body over the server's limit (413). */
export class PayloadTooLargeError extends HerdError {
  override name = "PayloadTooLargeError";
  constructor() {
    super("request body too large");
  }
}

export class QueueFullError extends HerdError {
  override name = "QueueFullError";
  constructor() {
    super("server busy, please try again.  maximum pending requests exceeded");
  }
}

/** 499: the client went away while its request waited. */
export class CanceledError extends HerdError {
  override name = "CanceledError";
  constructor(message = "request canceled") {
    super(message);
  }
}

/** 500: the runner process died or could not be reached. */
export class RunnerCrashedError extends HerdError {
  override name = "RunnerCrashedError";
  constructor(detail?: string) {
    super(
      "model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details" +
        (detail ? `: ${detail}` : ""),
    );
  }
}

/** 500: the model could not be loaded (bad file, unsupported architecture, no memory). */
export class ModelLoadError extends HerdError {
  override name = "ModelLoadError";
}

/** 507-ish in spirit, but Ollama answers 500: the model cannot fit in memory at all. */
export class InsufficientMemoryError extends HerdError {
  override name = "InsufficientMemoryError";
}

/** 500 with Ollama's wording for options of the wrong type and bad `format`. */
export class InvalidOptionError extends HerdError {
  override name = "InvalidOptionError";
}

/**
 * 500, as Ollama answers when its runner cannot detokenize a request's `context`: a token id outside the
 * model's vocabulary. Caught before any engine sees it (llama.cpp aborts on such ids).
 */
export class InvalidTokenError extends HerdError {
  override name = "InvalidTokenError";
  constructor(
    readonly token: unknown,
    readonly vocabSize: number,
  ) {
    super(`invalid token id ${String(token)}: the model's vocabulary has ${vocabSize} tokens (ids 0 to ${vocabSize - 1})`);
  }
}

/** Registry and network failures during pull/push (500). */
export class RegistryError extends HerdError {
  override name = "RegistryError";
}

export class UnauthorizedError extends RegistryError {
  override name = "UnauthorizedError";
  constructor(message = "unauthorized: access denied") {
    super(message);
  }
}

/** A file handed to create/show is not a usable GGUF (400). Subclasses name the problem. */
export class GgufError extends BadRequestError {
  override name = "GgufError";
}

/** Bad magic: Ollama's create wording. */
export class NotGgufError extends GgufError {
  override name = "NotGgufError";
  constructor(message = "supplied file was not in GGUF format") {
    super(message);
  }
}

/** GGUF v1 (and versions newer than 3) cannot be read. */
export class UnsupportedGgufVersionError extends GgufError {
  override name = "UnsupportedGgufVersionError";
  constructor(readonly version: number) {
    super(`GGUF version ${version} is not supported`);
  }
}

/** Header ends early, tensor data runs past the end of the file, unknown value or tensor types. */
export class CorruptGgufError extends GgufError {
  override name = "CorruptGgufError";
}

/** A Modelfile syntax or content error; the message carries Ollama's wording. */
export class ModelfileError extends BadRequestError {
  override name = "ModelfileError";
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line !== undefined && line > 0 ? `(line ${line}): ${message}` : message);
  }
}

/** A Hugging Face checkpoint herd cannot convert to GGUF (400): unsupported architecture, missing or broken files. */
export class ConversionError extends BadRequestError {
  override name = "ConversionError";
}

// From parsed commands to what a create request needs, as Ollama's
// Modelfile.CreateRequest does it (minus hashing files, which is the CLI's job).

import { homedir, userInfo } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { ModelfileError } from "../util/errors.js";
import { formatParams, type OptionValue } from "./params.js";
import type { Modelfile } from "./parser.js";

export interface ModelfileMessage {
  role: string;
  content: string;
}

export interface ModelfileSpec {
  /** Every FROM in order (a second FROM is how a projector is added). */
  from: string[];
  adapters: string[];
  drafts: string[];
  template?: string;
  system?: string;
  license: string[];
  parameters: Record<string, OptionValue>;
  messages: ModelfileMessage[];
  /** Semver without a leading `v`. */
  requires?: string;
  renderer?: string;
  parser?: string;
  /** Deprecated-parameter warnings to print. */
  warnings: string[];
}

// golang.org/x/mod/semver: vMAJOR[.MINOR[.PATCH[-pre][+build]]], no leading zeros.
const NUM = "(0|[1-9]\\d*)";
const PRE_ID = "(0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)";
const BUILD_ID = "[0-9A-Za-z-]+";
const SEMVER = new RegExp(
  `^v${NUM}(\\.${NUM}(\\.${NUM}(-${PRE_ID}(\\.${PRE_ID})*)?(\\+${BUILD_ID}(\\.${BUILD_ID})*)?)?)?$`,
);

/** Validate REQUIRES: optional `v`, returned without it. */
export function parseRequires(raw: string): string {
  const v = raw.startsWith("v") ? raw : `v${raw}`;
  if (!SEMVER.test(v)) throw new ModelfileError("requires must be a valid semver (e.g. 0.14.0)");
  return v.slice(1);
}

export function interpretModelfile(mf: Modelfile): ModelfileSpec {
  const spec: ModelfileSpec = { from: [], adapters: [], drafts: [], license: [], parameters: {}, messages: [], warnings: [] };
  const paramPairs: [string, string][] = [];
  for (const { name, args } of mf.commands) {
    switch (name) {
      case "model":
        spec.from.push(args);
        break;
      case "adapter":
        spec.adapters.push(args);
        break;
      case "draft":
        spec.drafts.push(args);
        break;
      case "template":
        spec.template = args;
        break;
      case "system":
        spec.system = args;
        break;
      case "license":
        spec.license.push(args);
        break;
      case "renderer":
        spec.renderer = args;
        break;
      case "parser":
        spec.parser = args;
        break;
      case "requires":
        spec.requires = parseRequires(args);
        break;
      case "message": {
        const at = args.indexOf(": ");
        spec.messages.push(at < 0 ? { role: args, content: "" } : { role: args.slice(0, at), content: args.slice(at + 2) });
        break;
      }
      default:
        paramPairs.push([name, args]);
    }
  }
  spec.parameters = formatParams(paramPairs, spec.warnings);
  return spec;
}

/**
 * Resolve a FROM/ADAPTER/DRAFT path as Ollama's expandPath: absolute stays, `~` and
 * `~/x` are the current user's home, `~user/x` another user's (only the current user is
 * known here), anything else is relative to the Modelfile's directory.
 */
export function expandModelfilePath(path: string, relativeDir: string): string {
  if (isAbsolute(path) || path.startsWith("\\")) return resolve(path);
  if (path.startsWith("~")) {
    if (path === "~" || path.startsWith("~/")) return resolve(join(homedir(), path.slice(1)));
    const [user, ...rest] = path.slice(1).split("/");
    if (user !== userInfo().username) throw new ModelfileError(`failed to find user '${user}'`);
    return resolve(join(homedir(), rest.join("/")));
  }
  return resolve(join(relativeDir, path));
}

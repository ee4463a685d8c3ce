// Pull and push wired to a registry client, as the server's ModelService needs them.

import { join } from "node:path";
import { VERSION } from "../config/version.js";
import { localRef, parseName } from "../name/index.js";
import { createRegistryClient, repositoryUrl } from "../registry/index.js";
import type { Store } from "../store/index.js";
import type { Logger } from "../util/log.js";
import type { Transfers } from "./index.js";
import { pullModel } from "./pull.js";
import { pushModel } from "./push.js";

export function createRegistryTransfers(opts: { store: Store; home: string; noPrune: boolean; log?: Logger }): Transfers {
  const client = createRegistryClient({
    keyPath: join(opts.home, "id_ed25519"),
    userAgent: `herd/${VERSION} (${process.arch} ${process.platform}) Node/${process.versions.node}`,
  });
  return {
    async validatePull(name, insecure) {
      // Bad names and `insecure protocol http` answer with a status before any progress line.
      repositoryUrl(parseName(localRef(name, "remote model is unavailable")), insecure);
    },
    pull: (name, o, onProgress) => pullModel(opts.store, client, localRef(name, "remote model is unavailable"), { insecure: o.insecure, signal: o.signal, onProgress, noPrune: opts.noPrune }),
    push: (name, o, onProgress) => pushModel(opts.store, client, name, { insecure: o.insecure, signal: o.signal, onProgress }),
  };
}

// A runner child for the load-timeout test: it says ready, reports a quarter of its load done, logs an error
// line and then never answers, as a load stuck on a slow disk would.

import type { ChildMessage, ParentMessage } from "../protocol.js";

const send = (msg: ChildMessage) => process.send?.(msg);
process.on("message", (msg: ParentMessage) => {
  if (msg.type !== "load") return;
  send({ type: "progress", value: 0.25 });
  send({ type: "log", level: "error", message: "read error on the weights" });
});
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });

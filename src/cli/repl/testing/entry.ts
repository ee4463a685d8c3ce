// A CLI entry for tests that spawn the real CLI from source (tsx) or from dist/.
import { main } from "../../main.js";

main(process.argv).catch((err) => {
  process.stderr.write(`Error: ${err?.message ?? err}\n`);
  process.exit(1);
});

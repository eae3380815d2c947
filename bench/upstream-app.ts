// The sample app (host/cli/sample-app.ts) in a process of its own, as the gateway section's
// upstream: started by fork, it sends its URL over the IPC channel and runs until the
// channel closes.
import { startSampleApp } from "../host/cli/sample-app.ts";

const app = await startSampleApp();
process.send?.(app.url);
process.on("disconnect", () => void app.close().then(() => process.exit(0)));

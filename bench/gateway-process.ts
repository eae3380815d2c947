// One gateway of the gateway section in a process of its own. Gateways sharing a process
// share one JavaScript heap, so the garbage of one lane sets the collector's pace for the
// next (bench/gc-probe.ts shows a lane's scavenges turn expensive after another lane's run);
// Envoy's workers share no such collector. Started by fork with the filter's module, the
// upstream's URL and the provider's URL; it sends its URL over the IPC channel, answers
// "cpu" with its CPU time so far, and stops when the channel closes.
import { startGateway } from "../host/gateway.ts";
import { benchGatewayOptions } from "./gateway.ts";

const [wasm, upstream, provider] = process.argv.slice(2);
const gateway = await startGateway(benchGatewayOptions(wasm, upstream, provider));
process.send?.({ url: gateway.url });
process.on("message", (message) => {
  if (message === "cpu") process.send?.({ cpu: process.cpuUsage() });
});
process.on("disconnect", () => void gateway.close().then(() => process.exit(0)));

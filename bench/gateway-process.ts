// The gateways of the gateway section, in one process of their own. Together, because
// gateways in separate processes each kept for a whole run whatever pace their process fell
// into, which biased one against another by as much as 30%; in a process apart from the
// bench's, so that they do not share a heap with what the bench's other sections leave
// behind (a gateway's collections depend on what ran before it). Started by fork with the
// upstream's URL, the provider's URL and each gateway's filter module; it sends the
// gateways' URLs over the IPC channel, answers "cpu" with its CPU time so far (one gateway
// is loaded at a time), and stops when the channel closes.
import { startGateway, type Gateway } from "../host/gateway.ts";
import { benchGatewayOptions } from "./gateway.ts";

const [upstream, provider, ...modules] = process.argv.slice(2);
const gateways: Gateway[] = [];
for (const wasm of modules) {
  gateways.push(await startGateway(benchGatewayOptions(wasm, upstream, provider)));
}
process.send?.({ urls: gateways.map((gateway) => gateway.url) });
process.on("message", (message) => {
  if (message === "cpu") process.send?.({ cpu: process.cpuUsage() });
});
process.on("disconnect", () => {
  void Promise.all(gateways.map((gateway) => gateway.close())).then(() => process.exit(0));
});

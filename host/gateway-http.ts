// HTTP plumbing for the gateway: header conversions between node:http and proxy-wasm maps,
// the request Envoy would send upstream, and the callout transport (each callout a real
// HTTP request to the URL of its cluster, its whole response buffered as Envoy's async
// client does).
import http from "node:http";
import https from "node:https";
import type { CalloutOutcome, CalloutTransport } from "./callouts.ts";
import type { HeaderPairs } from "./pairs.ts";
import type { CalloutRequest } from "./services.ts";

/** Connection-level headers that never cross a proxy (RFC 9110 section 7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
]);

/** node:http raw headers (name, value, name, value...) as lowercased pairs. */
export function pairsFromRaw(raw: string[], skip: ReadonlySet<string> = HOP_BY_HOP): HeaderPairs {
  const pairs: HeaderPairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (!skip.has(name)) pairs.push([name, raw[i + 1]]);
  }
  return pairs;
}

/** Pairs without pseudo-headers and hop-by-hop headers, as node:http raw headers. */
export function rawFromPairs(pairs: HeaderPairs): string[] {
  return pairs.filter(([k]) => !k.startsWith(":") && !HOP_BY_HOP.has(k)).flat();
}

export function pseudo(pairs: HeaderPairs, name: string): string | undefined {
  return pairs.find(([k]) => k === name)?.[1];
}

export interface OutgoingRequest {
  base: URL;
  method: string;
  path: string;
  authority: string;
  headers: HeaderPairs;
}

/** A request to `base` with the given request line; `host` carries the :authority. */
export function sendRequest(out: OutgoingRequest): http.ClientRequest {
  const client = out.base.protocol === "https:" ? https : http;
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of out.headers) {
    if (key.startsWith(":") || HOP_BY_HOP.has(key) || key === "host") continue;
    const previous = headers[key];
    headers[key] = previous === undefined ? value : [previous, value].flat();
  }
  headers.host = out.authority;
  const prefix = out.base.pathname.replace(/\/$/, "");
  return client.request({
    protocol: out.base.protocol,
    hostname: out.base.hostname,
    port: out.base.port,
    method: out.method,
    path: prefix + out.path,
    headers,
  });
}

/** Callouts as real HTTP requests to the URL each cluster name maps to. */
export function httpCalloutTransport(clusters: ReadonlyMap<string, URL>): CalloutTransport {
  return {
    send(request: CalloutRequest, done: (outcome: CalloutOutcome) => void) {
      const base = clusters.get(request.cluster);
      if (!base) return null;
      let finished = false;
      const finish = (outcome: CalloutOutcome): void => {
        if (!finished) {
          finished = true;
          done(outcome);
        }
      };
      const req = sendRequest({
        base,
        method: pseudo(request.headers, ":method") ?? "GET",
        path: pseudo(request.headers, ":path") ?? "/",
        authority: pseudo(request.headers, ":authority") ?? base.host,
        headers: request.headers,
      });
      let responded = false;
      req.on("response", (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          finish({
            kind: "response",
            status: res.statusCode ?? 0,
            headers: pairsFromRaw(res.rawHeaders),
            body: Buffer.concat(chunks),
            trailers: pairsFromRaw(res.rawTrailers),
          }),
        );
        res.on("error", () => finish({ kind: "failure", reason: "reset" }));
      });
      req.on("error", () =>
        finish({ kind: "failure", reason: responded ? "reset" : "connection-failure" }),
      );
      req.end(request.body);
      return {
        cancel: () => {
          finished = true;
          req.destroy();
        },
      };
    },
  };
}

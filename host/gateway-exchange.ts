// One HTTP exchange through the gateway: the downstream request becomes proxy-wasm request
// headers (pseudo-headers first, names lowercased, Envoy's x-forwarded-proto, x-request-id and
// x-forwarded-for added), runs through the filter, goes upstream when the filter lets it, and
// the upstream response runs back through the filter. Upstream failures become Envoy's router
// replies (503 connection failure, 504 timeout), which the filter sees like any response.
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { pairsFromRaw, pseudo, rawFromPairs, sendRequest } from "./gateway-http.ts";
import type { HeaderPairs } from "./pairs.ts";
import type { PluginVm } from "./plugin-vm.ts";
import type { HttpStream, StreamSink } from "./stream.ts";

const EMPTY = new Uint8Array(0);
const CONNECT_FAILURE =
  "upstream connect error or disconnect/reset before headers. reset reason: connection failure";

export interface ExchangeSettings {
  upstream: URL;
  routeTimeoutMs: number;
}

/** The request headers Envoy's HTTP connection manager hands to filters for `req`. */
export function downstreamHeaders(req: http.IncomingMessage): HeaderPairs {
  const raw = pairsFromRaw(req.rawHeaders).filter(([k]) => k !== "host");
  const headers: HeaderPairs = [
    [":authority", req.headers.host ?? ""],
    [":path", req.url ?? "/"],
    [":method", req.method ?? "GET"],
    [":scheme", "http"],
    ...raw.filter(([k]) => k !== "x-forwarded-proto"),
    ["x-forwarded-proto", "http"],
  ];
  if (!raw.some(([k]) => k === "x-request-id")) headers.push(["x-request-id", randomUUID()]);
  const client = req.socket.remoteAddress ?? "";
  const forwarded = raw.find(([k]) => k === "x-forwarded-for");
  if (forwarded) forwarded[1] = `${forwarded[1]},${client}`;
  else headers.push(["x-forwarded-for", client]);
  return headers;
}

function hasNoBody(req: http.IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] === undefined && (length === undefined || length === "0");
}

export class Exchange implements StreamSink {
  private readonly stream: HttpStream;
  private upstream: http.ClientRequest | null = null;
  private upstreamTimer: NodeJS.Timeout | null = null;
  private replaced = false;

  constructor(
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
    plugin: PluginVm,
    connectionId: number,
    private readonly settings: ExchangeSettings,
  ) {
    const socket = req.socket;
    this.stream = plugin.createStream(
      {
        sourceAddress: socket.remoteAddress ?? "",
        sourcePort: socket.remotePort ?? 0,
        destinationAddress: socket.localAddress ?? "",
        destinationPort: socket.localPort ?? 0,
        mtls: false,
        protocol: `HTTP/${req.httpVersion}`,
        connectionId,
      },
      this,
    );
    res.on("close", () => this.finish());
  }

  start(): void {
    const noBody = hasNoBody(this.req);
    this.stream.onRequestHeaders(downstreamHeaders(this.req), noBody);
    if (noBody) return;
    this.req.on("data", (chunk: Buffer) => this.stream.onRequestBody(chunk, false));
    this.req.on("end", () => this.stream.onRequestBody(EMPTY, true));
  }

  private finish(): void {
    this.clearTimer();
    if (!this.res.writableFinished) this.upstream?.destroy();
    this.stream.complete();
  }

  // ---- StreamSink: what passes the filter ----

  requestHeaders(headers: HeaderPairs, endOfStream: boolean): void {
    const upstream = sendRequest({
      base: this.settings.upstream,
      method: pseudo(headers, ":method") ?? "GET",
      path: pseudo(headers, ":path") ?? "/",
      authority: pseudo(headers, ":authority") ?? "",
      headers,
    });
    this.upstream = upstream;
    let responded = false;
    upstream.on("response", (response) => {
      responded = true;
      this.clearTimer();
      this.fromUpstream(response);
    });
    upstream.on("error", () => {
      this.clearTimer();
      if (this.replaced) return;
      if (responded) this.stream.hostReply(502, "upstream reset", "upstream_reset_after_started");
      else this.stream.hostReply(503, CONNECT_FAILURE, "upstream_reset_before_response_started");
    });
    this.upstreamTimer = setTimeout(() => {
      upstream.destroy();
      this.stream.hostReply(504, "upstream request timeout", "upstream_response_timeout");
    }, this.settings.routeTimeoutMs);
    if (endOfStream) upstream.end();
  }

  requestBody(data: Uint8Array, endOfStream: boolean): void {
    if (!this.upstream || this.replaced) return;
    if (data.length > 0) this.upstream.write(data);
    if (endOfStream) this.upstream.end();
  }

  responseHeaders(headers: HeaderPairs, endOfStream: boolean): void {
    if (this.res.headersSent || this.res.destroyed) return;
    const status = Number(pseudo(headers, ":status") ?? 502);
    this.res.writeHead(status, rawFromPairs(headers));
    if (endOfStream) this.res.end();
  }

  responseBody(data: Uint8Array, endOfStream: boolean): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    if (data.length > 0) this.res.write(data);
    if (endOfStream) this.res.end();
  }

  localReply(): void {
    this.replaced = true;
    this.clearTimer();
    this.upstream?.destroy();
  }

  reset(): void {
    this.replaced = true;
    this.clearTimer();
    this.upstream?.destroy();
    this.res.destroy();
  }

  private fromUpstream(response: http.IncomingMessage): void {
    if (this.replaced) {
      response.resume();
      return;
    }
    const headers: HeaderPairs = [
      [":status", String(response.statusCode ?? 502)],
      ...pairsFromRaw(response.rawHeaders),
    ];
    const path = this.stream.responsePath;
    const noBody =
      this.req.method === "HEAD" ||
      response.statusCode === 204 ||
      response.statusCode === 304 ||
      response.headers["content-length"] === "0";
    path.onUpstreamHeaders(headers, noBody);
    if (noBody) {
      response.resume();
      return;
    }
    response.on("data", (chunk: Buffer) => path.onUpstreamBody(chunk, false));
    response.on("end", () => path.onUpstreamBody(EMPTY, true));
    response.on("error", () => this.reset());
  }

  private clearTimer(): void {
    if (this.upstreamTimer) clearTimeout(this.upstreamTimer);
    this.upstreamTimer = null;
  }
}

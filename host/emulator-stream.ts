// One HTTP stream in the emulator: the test plays downstream and upstream (`call*`), and reads
// what the filter let through or answered (`get*`, `is*`).
import type { Action, HttpStream, StreamSink } from "./stream.ts";
import type { LocalReplyRequest } from "./contexts.ts";
import type { HeaderPairs } from "./pairs.ts";
import type { PluginVm } from "./plugin-vm.ts";
import type { ConnectionInfo } from "./properties.ts";
import { toBytes } from "./plugin-options.ts";

export interface StreamOptions {
  sourceAddress?: string;
  sourcePort?: number;
  destinationAddress?: string;
  destinationPort?: number;
  /** The downstream connection used mutual TLS. Default false. */
  mtls?: boolean;
  /** Default "HTTP/1.1". */
  protocol?: string;
}

export interface LocalResponse {
  status: number;
  /** Response code details as Envoy records them (whitespace replaced by "_"). */
  details: string;
  body: Buffer;
  /** The headers the filter passed to proxy_send_local_response. */
  headers: HeaderPairs;
  grpcStatus: number;
}

/**
 * Records what passes the filter, in both directions. It is the stream's sink itself: a sink
 * object of arrow functions made for every stream cost more than the no-op filter's request.
 */
class Recording implements StreamSink {
  upstreamHeaders: HeaderPairs | null = null;
  upstreamBody: Uint8Array[] = [];
  upstreamEnded = false;
  downstreamHeaders: HeaderPairs | null = null;
  downstreamBody: Uint8Array[] = [];
  downstreamEnded = false;
  reply: LocalReplyRequest | null = null;
  wasReset = false;

  requestHeaders(headers: HeaderPairs, end: boolean): void {
    this.upstreamHeaders = headers;
    this.upstreamEnded = end;
  }
  requestBody(data: Uint8Array, end: boolean): void {
    this.upstreamBody.push(data);
    this.upstreamEnded = end;
  }
  responseHeaders(headers: HeaderPairs, end: boolean): void {
    this.downstreamHeaders = headers;
    this.downstreamEnded = end;
  }
  responseBody(data: Uint8Array, end: boolean): void {
    this.downstreamBody.push(data);
    this.downstreamEnded = end;
  }
  localReply(reply: LocalReplyRequest): void {
    this.reply ??= reply;
  }
  reset(): void {
    this.wasReset = true;
  }
}

export class EmulatorStream {
  private readonly sink = new Recording();
  private readonly stream: HttpStream;

  constructor(plugin: PluginVm, connectionId: number, options: StreamOptions) {
    const info: ConnectionInfo = {
      sourceAddress: options.sourceAddress ?? "192.0.2.10",
      sourcePort: options.sourcePort ?? 50000 + connectionId,
      destinationAddress: options.destinationAddress ?? "10.0.0.1",
      destinationPort: options.destinationPort ?? 8080,
      mtls: options.mtls ?? false,
      protocol: options.protocol ?? "HTTP/1.1",
      connectionId,
    };
    this.stream = plugin.createStream(info, this.sink);
  }

  /** The stream's context id (2 and up). */
  get id(): number {
    return this.stream.id;
  }

  // ---- Driving ----

  /** Request headers from downstream; pseudo-headers (":method", ":path"...) as given. */
  callOnRequestHeaders(headers: HeaderPairs, endOfStream = true): Action {
    return this.stream.onRequestHeaders(headers, endOfStream);
  }

  callOnRequestBody(body: Uint8Array | string, endOfStream = true): Action {
    return this.stream.onRequestBody(toBytes(body), endOfStream);
  }

  /** Response headers from upstream, with ":status". */
  callOnResponseHeaders(headers: HeaderPairs, endOfStream = false): Action {
    return this.stream.responsePath.onUpstreamHeaders(headers, endOfStream);
  }

  callOnResponseBody(body: Uint8Array | string, endOfStream = true): Action {
    return this.stream.responsePath.onUpstreamBody(toBytes(body), endOfStream);
  }

  /** Ends the stream: proxy_on_log, proxy_on_done, proxy_on_delete. */
  complete(): void {
    this.stream.complete();
  }

  // ---- Inspecting ----

  /** The request header map as the filter has left it so far. */
  getRequestHeaders(): HeaderPairs {
    return this.stream.requestHeaders.pairs();
  }

  /** The request headers that went upstream, or null if they have not (yet). */
  getUpstreamRequestHeaders(): HeaderPairs | null {
    return this.sink.upstreamHeaders;
  }

  getUpstreamRequestBody(): Buffer {
    return Buffer.concat(this.sink.upstreamBody);
  }

  /** The response headers as the filter has left them (upstream's or a local reply's). */
  getResponseHeaders(): HeaderPairs | null {
    return this.stream.responsePath.headers?.pairs() ?? null;
  }

  /** The response headers that went downstream, or null if none did (yet). */
  getDownstreamResponseHeaders(): HeaderPairs | null {
    return this.sink.downstreamHeaders;
  }

  getDownstreamResponseBody(): Buffer {
    return Buffer.concat(this.sink.downstreamBody);
  }

  /** The local response the filter sent (or the host's 503 for a broken VM), or null. */
  getLocalResponse(): LocalResponse | null {
    const reply = this.sink.reply;
    if (!reply) return null;
    return { ...reply, body: Buffer.from(reply.body), headers: [...reply.headers] };
  }

  /** The request is held by the filter (paused at its headers or its body). */
  isPaused(): boolean {
    const phase = this.stream.requestPhase;
    return phase === "headers-paused" || phase === "body-paused";
  }

  /** The request headers went on upstream (the filter continued them). */
  isContinued(): boolean {
    return this.sink.upstreamHeaders !== null && this.sink.reply === null;
  }

  isResponsePaused(): boolean {
    return this.stream.responsePath.isPaused;
  }

  isReset(): boolean {
    return this.sink.wasReset;
  }

  isCompleted(): boolean {
    return this.stream.isCompleted;
  }
}

// The response half of a stream: upstream responses and the filter's own local replies go
// through proxy_on_response_headers/body (Envoy runs a local reply sent while decoding through
// the encoder filters, this one included), may be paused and resumed, and are pushed to the
// sink when they pass. A reply made once a response exists is sent directly, skipping filters.
import { ByteBuffer } from "./byte-buffer.ts";
import type { LocalReplyRequest } from "./contexts.ts";
import { HeaderMap } from "./header-map.ts";
import type { HeaderPairs } from "./pairs.ts";
import type { Action, HttpStream, StreamSink } from "./stream.ts";

type Phase = "idle" | "headers-paused" | "streaming" | "body-paused" | "ended";

/**
 * The headers Envoy builds for a local reply (Utility::sendLocalReply): ":status", the filter's
 * headers, then content-length and a text/plain content-type for a body; with no body both
 * are removed, even when the filter set them.
 */
export function buildLocalReplyHeaders(reply: LocalReplyRequest): HeaderPairs {
  const map = new HeaderMap([[":status", String(reply.status)]]);
  for (const [key, value] of reply.headers) map.add(key, value);
  if (reply.body.length > 0) {
    map.replace("content-length", String(reply.body.length));
    if (map.get("content-type") === undefined) map.add("content-type", "text/plain");
  } else {
    map.remove("content-length");
    map.remove("content-type");
  }
  return map.pairs();
}

export class ResponsePath {
  /** The response headers once a response exists (kept for proxy_on_log). */
  headers: HeaderMap | null = null;
  private bodyData: ByteBuffer | null = null;
  private bodyAttached = false;
  code: number | undefined;
  codeDetails: string | undefined;
  /** True once response headers went downstream: a local reply then resets the stream. */
  startedDownstream = false;
  private phase: Phase = "idle";
  private attached = false;
  private headersEnd = false;
  private bodyEnd = false;
  private held: Uint8Array[] = [];
  private local = false;

  constructor(
    private readonly stream: HttpStream,
    private readonly sink: StreamSink,
  ) {}

  get hasHeaders(): boolean {
    return this.headers !== null;
  }

  get isPaused(): boolean {
    return this.phase === "headers-paused" || this.phase === "body-paused";
  }

  attachedHeaders(): HeaderMap | null {
    return this.attached ? this.headers : null;
  }

  /** The body buffer while the filter may touch it (its callback, or while it buffers). */
  get body(): ByteBuffer | null {
    return this.bodyAttached ? this.bodyData : null;
  }

  /** proxy_continue_stream(Response): the filter lets go of the map and the body. */
  detach(): void {
    this.attached = false;
    this.bodyAttached = false;
  }

  end(): void {
    this.phase = "ended";
    this.detach();
    this.bodyData = null;
    this.held = [];
  }

  /** Response headers from upstream; ignored once a local reply replaced the upstream. */
  onUpstreamHeaders(headers: HeaderPairs, endOfStream: boolean): Action {
    if (this.local || this.phase !== "idle") return "pause";
    return this.filterHeaders(headers, endOfStream, "via_upstream");
  }

  onUpstreamBody(chunk: Uint8Array, endOfStream: boolean): Action {
    if (this.local) return "pause";
    return this.onBody(chunk, endOfStream);
  }

  /** A local reply made while the request was decoded: it runs through this filter. */
  sendThroughFilter(reply: LocalReplyRequest): void {
    this.local = true;
    const endOfStream = reply.body.length === 0;
    this.filterHeaders(buildLocalReplyHeaders(reply), endOfStream, reply.details);
    if (!endOfStream) this.onBody(reply.body, true);
  }

  /** A reply that skips the filter (the response already started, or the VM is broken). */
  sendDirect(reply: LocalReplyRequest): void {
    this.local = true;
    this.end();
    this.headers = new HeaderMap(buildLocalReplyHeaders(reply));
    this.code = reply.status;
    this.codeDetails = reply.details;
    this.startedDownstream = true;
    this.sink.responseHeaders(this.headers.pairs(), reply.body.length === 0);
    if (reply.body.length > 0) this.sink.responseBody(reply.body, true);
  }

  private filterHeaders(headers: HeaderPairs, endOfStream: boolean, details: string): Action {
    this.headers = new HeaderMap(headers);
    this.code = Number(this.headers.get(":status"));
    this.codeDetails = details;
    this.headersEnd = endOfStream;
    if (!this.stream.isCreated || this.stream.failedReplySent) {
      this.passHeaders();
      return "continue";
    }
    this.attached = true;
    this.phase = "headers-paused";
    const count = this.headers.size;
    const status = this.stream.callHeaders("proxy_on_response_headers", count, endOfStream);
    if (status !== "continue") return "pause";
    this.attached = false;
    if (this.phase === "headers-paused") this.passHeaders();
    return "continue";
  }

  private passHeaders(): void {
    this.phase = "streaming";
    this.startedDownstream = true;
    this.sink.responseHeaders(this.headers!.pairs(), this.headersEnd);
    if (this.held.length > 0) {
      const held = Buffer.concat(this.held);
      this.held = [];
      this.onBody(held, this.bodyEnd);
    }
  }

  private onBody(chunk: Uint8Array, endOfStream: boolean): Action {
    if (this.phase === "ended") return "pause";
    if (this.phase === "idle" || this.phase === "headers-paused") {
      this.held.push(chunk);
      this.bodyEnd = endOfStream;
      return "pause";
    }
    if (!this.stream.isCreated || this.stream.failedReplySent) {
      this.sink.responseBody(chunk, endOfStream);
      return "continue";
    }
    if (this.bodyData) this.bodyData.append(chunk);
    else this.bodyData = new ByteBuffer(chunk, true);
    this.bodyAttached = true;
    this.bodyEnd = endOfStream;
    this.phase = "body-paused";
    const size = this.bodyData.size;
    const status = this.stream.callData("proxy_on_response_body", size, endOfStream);
    if (status !== "continue") return "pause";
    if (this.phase === "body-paused") this.flushBody();
    return "continue";
  }

  private flushBody(): void {
    const data = this.bodyData?.bytes() ?? new Uint8Array(0);
    this.bodyData = null;
    this.bodyAttached = false;
    this.phase = "streaming";
    this.sink.responseBody(data, this.bodyEnd);
  }

  /** Deferred part of proxy_continue_stream(Response). */
  resume(): void {
    if (this.phase === "headers-paused") {
      this.passHeaders();
    } else if (this.phase === "body-paused") {
      this.flushBody();
    }
  }
}

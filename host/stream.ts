// One HTTP request/response through the filter, with Envoy's rules (extensions/common/wasm/
// context.cc and cpp-host context.cc): which maps and bodies the filter may touch in each
// callback, pausing and resuming, local replies (which run through the filter's own response
// callbacks), fail-closed or fail-open behaviour of a broken VM, and the end of the stream
// (proxy_on_log, then proxy_on_done, then proxy_on_delete). What passes the filter is pushed
// to a StreamSink: the emulator records it, the gateway sends it on.
import {
  BufferType,
  DataStatus,
  HeadersStatus,
  LogLevel,
  MapType,
  StreamType,
  WasmResult,
} from "./abi.ts";
import { ByteBuffer } from "./byte-buffer.ts";
import type { Clock } from "./clock.ts";
import type { LocalReplyRequest, RootState, StreamHandle } from "./contexts.ts";
import { HeaderMap } from "./header-map.ts";
import type { HeaderPairs } from "./pairs.ts";
import { streamProperty, type ConnectionInfo } from "./properties.ts";
import type { HostRecorder } from "./records.ts";
import { ResponsePath } from "./response-path.ts";
import type { WasmVm } from "./vm.ts";

export type Action = "continue" | "pause";

/** Where a stream's traffic goes once the filter lets it through. */
export interface StreamSink {
  /** Request headers (as the filter left them) go upstream. */
  requestHeaders(headers: HeaderPairs, endOfStream: boolean): void;
  requestBody(data: Uint8Array, endOfStream: boolean): void;
  /** Response headers go downstream (from upstream or from a local reply). */
  responseHeaders(headers: HeaderPairs, endOfStream: boolean): void;
  responseBody(data: Uint8Array, endOfStream: boolean): void;
  /** A local reply replaces the upstream: nothing more goes upstream, nor comes from it. */
  localReply(reply: LocalReplyRequest): void;
  /** The stream is reset (proxy_close_stream, or a reply after the response started). */
  reset(): void;
}

export interface StreamOwner {
  readonly vm: WasmVm;
  readonly root: RootState;
  readonly failOpen: boolean;
  readonly recorder: HostRecorder;
  readonly clock: Clock;
  streamEnded(stream: HttpStream): void;
}

type Phase = "idle" | "headers-paused" | "streaming" | "body-paused" | "ended";

const FAIL_DETAILS = "wasm_fail_stream";
const GRPC_UNAVAILABLE = 14;

export class HttpStream implements StreamHandle {
  readonly id: number;
  readonly startTimeMs: number;
  readonly requestHeaders = new HeaderMap();
  /** The first local reply the filter sent, as it asked for it. */
  localReply: LocalReplyRequest | null = null;
  wasReset = false;
  private readonly response: ResponsePath;
  private request: Phase = "idle";
  private requestHeadersAttached = false;
  private requestHeadersEnd = false;
  private requestBody: ByteBuffer | null = null;
  private requestBodyAttached = false;
  private requestBodyEnd = false;
  private heldRequestBody: Uint8Array[] = [];
  private created = false;
  private completed = false;
  private streamFailed = false;
  private logPhase = false;
  private readonly filterStates = new Map<string, Uint8Array>();

  constructor(
    private readonly owner: StreamOwner,
    readonly info: ConnectionInfo,
    private readonly sink: StreamSink,
  ) {
    this.id = owner.vm.allocContextId();
    this.startTimeMs = owner.clock.nowMs();
    owner.vm.contexts.set(this.id, { id: this.id, root: owner.root, stream: this });
    this.response = new ResponsePath(this, sink);
  }

  get inLogPhase(): boolean {
    return this.logPhase;
  }

  get requestPhase(): Phase {
    return this.request;
  }

  get responsePath(): ResponsePath {
    return this.response;
  }

  // ---- Driving the request ----

  onRequestHeaders(headers: HeaderPairs, endOfStream: boolean): Action {
    this.ensureCreated();
    this.requestHeaders.setAll(headers);
    this.requestHeadersAttached = true;
    this.requestHeadersEnd = endOfStream;
    // Paused until the callback says otherwise: a proxy_continue_stream deferred to the end
    // of the callback must find the request paused.
    this.request = "headers-paused";
    const count = this.requestHeaders.size;
    const status = this.callHeaders("proxy_on_request_headers", count, endOfStream);
    if (status === "continue") {
      this.requestHeadersAttached = false;
      if (this.request === "headers-paused") this.passRequestHeaders();
      return "continue";
    }
    return "pause";
  }

  onRequestBody(chunk: Uint8Array, endOfStream: boolean): Action {
    if (this.request === "ended") return "pause";
    if (this.request === "idle" || this.request === "headers-paused") {
      // Envoy holds the body of a request stopped at its headers (StopAllIteration).
      this.heldRequestBody.push(chunk);
      this.requestBodyEnd = endOfStream;
      return "pause";
    }
    return this.filterRequestBody(chunk, endOfStream);
  }

  private filterRequestBody(chunk: Uint8Array, endOfStream: boolean): Action {
    if (this.requestBody) this.requestBody.append(chunk);
    else this.requestBody = new ByteBuffer(chunk, true);
    this.requestBodyAttached = true;
    this.requestBodyEnd = endOfStream;
    this.request = "body-paused";
    const status = this.callData("proxy_on_request_body", this.requestBody.size, endOfStream);
    if (status !== "continue") return "pause";
    if (this.request === "body-paused") this.flushRequestBody();
    return "continue";
  }

  private passRequestHeaders(): void {
    if (this.request === "ended") return;
    this.request = "streaming";
    this.sink.requestHeaders(this.requestHeaders.pairs(), this.requestHeadersEnd);
    if (this.heldRequestBody.length > 0) {
      const held = Buffer.concat(this.heldRequestBody);
      this.heldRequestBody = [];
      this.filterRequestBody(held, this.requestBodyEnd);
    }
  }

  /** Deferred part of proxy_continue_stream(Request). */
  private resumeRequest(): void {
    if (this.request === "headers-paused") {
      this.passRequestHeaders();
    } else if (this.request === "body-paused") {
      this.flushRequestBody();
    }
  }

  private flushRequestBody(): void {
    const data = this.requestBody?.bytes() ?? new Uint8Array(0);
    this.requestBody = null;
    this.requestBodyAttached = false;
    this.request = "streaming";
    this.sink.requestBody(data, this.requestBodyEnd);
  }

  // ---- Calls into the module ----

  /** on_context_create for this stream, once (Envoy's onCreate). */
  ensureCreated(): void {
    if (this.created) return;
    this.created = true;
    const { vm } = this.owner;
    vm.dispatch(() => vm.call("proxy_on_context_create", this.id, [this.id, this.owner.root.id]));
  }

  get isCreated(): boolean {
    return this.created;
  }

  /** Calls a headers callback; "continue" or "pause" as Envoy converts the result. */
  callHeaders(callback: string, count: number, endOfStream: boolean): Action {
    const { vm } = this.owner;
    const failed = this.checkFailed();
    if (failed) return failed;
    if (!vm.exported(callback)) return "continue";
    return vm.dispatch(() => {
      const result = vm.call(callback, this.id, [this.id, count, endOfStream ? 1 : 0]);
      const failedNow = this.checkFailed();
      if (failedNow || result === undefined) return failedNow || "pause";
      // StopIteration is always taken as StopAllIterationAndWatermark; a local reply stops.
      const stop = vm.stopIteration || result > HeadersStatus.StopAllIterationAndWatermark;
      const go = result === HeadersStatus.Continue || result === HeadersStatus.ContinueAndEndStream;
      return !stop && go ? "continue" : "pause";
    });
  }

  /** Calls a body callback; every Stop* status is taken as buffering. */
  callData(callback: string, size: number, endOfStream: boolean): Action {
    const { vm } = this.owner;
    const failed = this.checkFailed();
    if (failed) return failed;
    if (!vm.exported(callback)) return "continue";
    return vm.dispatch(() => {
      const result = vm.call(callback, this.id, [this.id, size, endOfStream ? 1 : 0]);
      const failedNow = this.checkFailed();
      if (failedNow || result === undefined) return failedNow || "pause";
      return !vm.stopIteration && result === DataStatus.Continue ? "continue" : "pause";
    });
  }

  /**
   * Envoy's CHECK_FAIL: with a failed VM, fail-open streams pass untouched; fail-closed ones
   * get one 503 local reply that skips the filter ("wasm_fail_stream").
   */
  private checkFailed(): Action | null {
    if (!this.owner.vm.failed) return null;
    if (this.owner.failOpen) return "continue";
    if (!this.streamFailed) {
      this.streamFailed = true;
      this.replyDirectly({
        status: 503,
        details: FAIL_DETAILS,
        body: new Uint8Array(0),
        headers: [],
        grpcStatus: GRPC_UNAVAILABLE,
      });
    }
    return "pause";
  }

  // ---- Local replies ----

  sendLocalResponse(reply: LocalReplyRequest): void {
    this.owner.vm.defer(() => this.deliverLocalReply(reply));
  }

  private deliverLocalReply(reply: LocalReplyRequest): void {
    if (this.completed || this.localReply || this.streamFailed) return;
    if (this.response.startedDownstream) {
      this.resetStream();
      return;
    }
    this.localReply = reply;
    // Envoy still holds the request map it had: the filter may read and change it in the
    // response callbacks its own reply triggers.
    this.endRequest(false);
    this.sink.localReply(reply);
    if (this.response.hasHeaders) {
      // The response already came from upstream: Envoy replies directly, skipping filters.
      this.response.sendDirect(reply);
    } else {
      this.response.sendThroughFilter(reply);
    }
  }

  private replyDirectly(reply: LocalReplyRequest): void {
    if (this.response.startedDownstream) {
      this.resetStream();
      return;
    }
    this.localReply ??= reply;
    this.endRequest();
    this.sink.localReply(reply);
    this.response.sendDirect(reply);
  }

  /** A reply Envoy itself makes (the router's 503 or 504); it runs through the filter. */
  hostReply(status: number, text: string, details: string): void {
    if (this.completed || this.localReply || this.streamFailed || this.wasReset) return;
    if (this.response.startedDownstream) {
      this.resetStream();
      return;
    }
    const reply = { status, details, body: Buffer.from(text), headers: [], grpcStatus: 0 };
    this.endRequest();
    if (this.response.hasHeaders) this.response.sendDirect(reply);
    else this.response.sendThroughFilter(reply);
  }

  /** Nothing more goes upstream; `detach` also takes the request away from the filter. */
  private endRequest(detach = true): void {
    this.request = "ended";
    this.heldRequestBody = [];
    if (!detach) return;
    this.requestHeadersAttached = false;
    this.requestBody = null;
    this.requestBodyAttached = false;
  }

  private resetStream(): void {
    if (this.wasReset) return;
    this.wasReset = true;
    this.endRequest();
    this.response.end();
    this.sink.reset();
  }

  get failedReplySent(): boolean {
    return this.streamFailed;
  }

  // ---- StreamHandle: what the host functions see ----

  mutableMap(type: MapType): HeaderMap | null {
    if (this.logPhase) return null;
    if (type === MapType.RequestHeaders) {
      return this.requestHeadersAttached ? this.requestHeaders : null;
    }
    if (type === MapType.ResponseHeaders) return this.response.attachedHeaders();
    return null;
  }

  readableMap(type: MapType): HeaderMap | null {
    if (!this.logPhase) return this.mutableMap(type);
    if (type === MapType.RequestHeaders) return this.requestHeaders;
    if (type === MapType.ResponseHeaders) return this.response.headers;
    return null;
  }

  body(type: BufferType): ByteBuffer | null {
    if (type === BufferType.HttpRequestBody) {
      return this.requestBodyAttached ? this.requestBody : null;
    }
    if (type === BufferType.HttpResponseBody) return this.response.body;
    return null;
  }

  continueStream(type: StreamType): WasmResult {
    const { vm } = this.owner;
    if (type === StreamType.Upstream) return WasmResult.Unimplemented;
    if (type === StreamType.Request) vm.defer(() => this.resumeRequest());
    if (type === StreamType.Response) {
      vm.defer(() => this.response.resume());
      this.response.detach();
    }
    if (type !== StreamType.Downstream) {
      // Envoy drops its request map and body pointers for either direction.
      this.requestHeadersAttached = false;
      this.requestBodyAttached = false;
    }
    return WasmResult.Ok;
  }

  closeStream(type: StreamType): WasmResult {
    if (type === StreamType.Request || type === StreamType.Response) {
      this.owner.vm.defer(() => this.resetStream());
    }
    return WasmResult.Ok;
  }

  property(path: string[]): Uint8Array | undefined {
    const exposeRequest = this.logPhase || this.requestHeadersAttached;
    return streamProperty(
      {
        info: this.info,
        startTimeMs: this.startTimeMs,
        requestHeaders: exposeRequest ? this.requestHeaders : null,
        responseHeaders: this.logPhase ? this.response.headers : this.response.attachedHeaders(),
        responseCode: this.response.code,
        responseCodeDetails: this.response.codeDetails,
      },
      path,
    );
  }

  setFilterState(path: string, value: Uint8Array): void {
    this.filterStates.set(path, value);
  }

  filterState(path: string): Uint8Array | undefined {
    return this.filterStates.get(path);
  }

  // ---- The end of the stream ----

  /** Ends the stream as Envoy does: access log (proxy_on_log), then on_done, then on_delete. */
  complete(): void {
    if (this.completed) return;
    this.completed = true;
    const { vm } = this.owner;
    this.ensureCreated();
    this.logPhase = true;
    vm.dispatch(() => vm.call("proxy_on_log", this.id, [this.id]));
    this.logPhase = false;
    const done = vm.dispatch(() => vm.call("proxy_on_done", this.id, [this.id]));
    if (done === 0) {
      const text = `proxy_on_done(${this.id}) returned false: Envoy ignores this for HTTP streams`;
      this.owner.recorder.log(LogLevel.Warn, text, this.id, vm.label, "host");
    }
    vm.dispatch(() => vm.call("proxy_on_delete", this.id, [this.id]));
    vm.contexts.delete(this.id);
    this.endRequest();
    this.response.end();
    this.owner.streamEnded(this);
  }

  get isCompleted(): boolean {
    return this.completed;
  }
}

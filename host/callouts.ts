// HTTP callouts as Envoy runs them for a plugin (Context::httpCall, onHttpCallSuccess and
// onHttpCallFailure): checks at dispatch, tokens that are neither small nor consecutive, the
// timeout, and the response delivered to the root context that owns the callout. A timeout or
// a connection failure reaches the filter as Envoy's own local reply (504 or 503 with its
// text), a reset after the response started as zero headers with proxy_get_status reporting
// BrokenConnection "reset".
import { randomBytes } from "node:crypto";
import { WasmResult } from "./abi.ts";
import type { Timer, Scheduler } from "./clock.ts";
import type { CalloutResponse, RootState } from "./contexts.ts";
import { HeaderMap } from "./header-map.ts";
import type { HeaderPairs } from "./pairs.ts";
import { buildLocalReplyHeaders } from "./response-path.ts";
import type { CalloutRequest } from "./services.ts";
import type { WasmVm } from "./vm.ts";

export type CalloutFailure = "reset" | "timeout" | "connection-failure" | "no-healthy-upstream";

export type CalloutOutcome =
  | {
      kind: "response";
      status: number;
      headers?: HeaderPairs;
      body?: Uint8Array | string;
      trailers?: HeaderPairs;
    }
  | { kind: "failure"; reason: CalloutFailure };

/** Carries callouts to their cluster: the emulator keeps them for the test, the gateway sends. */
export interface CalloutTransport {
  /** Starts a callout; `done` takes its outcome. Null when it cannot be sent at all. */
  send(request: CalloutRequest, done: (outcome: CalloutOutcome) => void): { cancel(): void } | null;
}

/** Envoy's router answers for failures that still produce a response (status, body). */
const LOCAL_REPLIES: Record<Exclude<CalloutFailure, "reset">, [number, string]> = {
  timeout: [504, "upstream request timeout"],
  "connection-failure": [
    503,
    "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
  ],
  "no-healthy-upstream": [503, "no healthy upstream"],
};

function toResponse(outcome: CalloutOutcome): CalloutResponse | null {
  if (outcome.kind === "failure") {
    if (outcome.reason === "reset") return null;
    const [status, text] = LOCAL_REPLIES[outcome.reason];
    const body = Buffer.from(text);
    const reply = { status, body, headers: [], details: "", grpcStatus: 0 };
    const headers = buildLocalReplyHeaders(reply);
    return { headers: new HeaderMap(headers), body, trailers: null };
  }
  const headers = new HeaderMap([[":status", String(outcome.status)]]);
  for (const [key, value] of outcome.headers ?? []) headers.add(key, value);
  const body = typeof outcome.body === "string" ? Buffer.from(outcome.body) : outcome.body;
  const trailers = outcome.trailers?.length ? new HeaderMap(outcome.trailers) : null;
  return { headers, body: body ?? new Uint8Array(0), trailers };
}

interface Entry {
  root: RootState;
  handle: { cancel(): void } | null;
  timer: Timer | null;
}

export class CalloutTable {
  private readonly pending = new Map<number, Entry>();
  private readonly issued = new Set<number>();

  constructor(
    private readonly vm: WasmVm,
    private readonly env: { scheduler: Scheduler; transport: CalloutTransport },
    private readonly isCluster: (name: string) => boolean,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Envoy's checks, then the callout starts; the token's low two bits say "HTTP call". */
  start(
    root: RootState,
    request: Omit<CalloutRequest, "token">,
  ): { result: WasmResult; token: number } {
    const refused = { result: WasmResult.BadArgument, token: 0 };
    if (request.timeoutMs < 0 || !this.isCluster(request.cluster)) return refused;
    const headers = new HeaderMap(request.headers);
    for (const required of [":path", ":method", ":authority"]) {
      if (headers.get(required) === undefined) return refused;
    }
    if (request.body.length > 0) headers.replace("content-length", String(request.body.length));
    const token = this.newToken();
    const entry: Entry = { root, handle: null, timer: null };
    this.pending.set(token, entry);
    const full: CalloutRequest = { ...request, token, headers: headers.pairs() };
    entry.handle = this.env.transport.send(full, (outcome) => this.finish(token, outcome));
    if (!entry.handle) {
      this.pending.delete(token);
      return { result: WasmResult.InternalFailure, token: 0 };
    }
    if (request.timeoutMs > 0 && this.pending.has(token)) {
      entry.timer = this.env.scheduler.after(request.timeoutMs, () => {
        entry.handle?.cancel();
        this.finish(token, { kind: "failure", reason: "timeout" });
      });
    }
    return { result: WasmResult.Ok, token };
  }

  private newToken(): number {
    for (;;) {
      const token = (randomBytes(4).readUInt32LE(0) & ~3) >>> 0;
      if (token !== 0 && !this.issued.has(token)) {
        this.issued.add(token);
        return token;
      }
    }
  }

  /** Delivers an outcome to proxy_on_http_call_response on the owning root context. */
  finish(token: number, outcome: CalloutOutcome): void {
    const { vm } = this;
    if (vm.inCall) {
      vm.defer(() => this.finish(token, outcome));
      return;
    }
    const entry = this.pending.get(token);
    if (!entry) return;
    this.pending.delete(token);
    entry.timer?.cancel();
    const root = entry.root;
    if (vm.failed || !vm.contexts.has(root.id)) return;
    const response = toResponse(outcome);
    vm.dispatch(() => {
      if (response) root.calloutResponse = response;
      else {
        root.statusCode = WasmResult.BrokenConnection;
        root.statusMessage = "reset";
      }
      vm.defer(() => {
        root.calloutResponse = null;
        if (!response) root.statusMessage = "";
      });
      const counts = response
        ? [response.headers.size, response.body.length, response.trailers?.size ?? 0]
        : [0, 0, 0];
      vm.call("proxy_on_http_call_response", root.id, [root.id, token, ...counts]);
    });
  }

  cancelAll(): void {
    for (const entry of this.pending.values()) {
      entry.timer?.cancel();
      entry.handle?.cancel();
    }
    this.pending.clear();
  }
}

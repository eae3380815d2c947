// Root and stream contexts, and the dispatch of the host's callbacks to them.
//
// The host names every context by id: a root context (one per plugin, id 1 in Envoy) and
// one stream context per HTTP request (ids 2, 3, ...). HTTP callouts belong to the root
// context: their responses arrive on the root with a token, and are routed here to the
// stream that started them after making that stream the effective context again.
import { Action, LogLevel, WasmResult } from "./types";
import { CalloutStart, httpCall, log, setEffectiveContext } from "./host";
import { Headers } from "./headers";

export class RootContext {
  // Token of each callout in flight -> id of the stream waiting for it (0: the root's own).
  private callouts: Map<u32, u32> = new Map<u32, u32>();

  constructor(public readonly id: u32) {}

  /** VM start; the VM configuration is readable only during this call. */
  onVmStart(vmConfigurationSize: usize): bool {
    return true;
  }

  /** Plugin start; the plugin configuration is readable only during this call. */
  onConfigure(configurationSize: usize): bool {
    return true;
  }

  onTick(): void {}

  /** Creates the context of a new HTTP stream. */
  createStream(id: u32): StreamContext {
    return new StreamContext(id, this);
  }

  /** A response (or failure: numHeaders == 0) to one of the root's own callouts. */
  onCalloutResponse(token: u32, numHeaders: u32, bodySize: u32): void {}

  /**
   * Starts a callout for `waiter` (a stream id, or 0 for the root itself); the response is
   * delivered to that context. A non-Ok result means no response will ever come.
   */
  startCallout(
    waiter: u32, cluster: string, headers: Headers, body: ArrayBuffer, timeoutMs: u32,
  ): CalloutStart {
    const start = httpCall(cluster, headers, body, timeoutMs);
    if (start.result == WasmResult.Ok) this.callouts.set(start.token, waiter);
    return start;
  }

  /** Removes and returns the waiter of `token`, or -1 when the token is unknown. */
  takeCalloutWaiter(token: u32): i64 {
    if (!this.callouts.has(token)) return -1;
    const waiter = this.callouts.get(token);
    this.callouts.delete(token);
    return <i64>waiter;
  }

  onDone(): bool {
    return true;
  }
}

export class StreamContext {
  constructor(public readonly id: u32, public readonly root: RootContext) {}

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    return Action.Continue;
  }

  onRequestBody(bodySize: u32, endOfStream: bool): Action {
    return Action.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    return Action.Continue;
  }

  onResponseBody(bodySize: u32, endOfStream: bool): Action {
    return Action.Continue;
  }

  /** The response (or failure: numHeaders == 0) to a callout this stream started. */
  onCalloutResponse(token: u32, numHeaders: u32, bodySize: u32): void {}

  /** Called after the stream ended, before it is deleted; request data is still readable. */
  onLog(): void {}

  onDelete(): void {}
}

// ---- Registry and dispatch ----

type RootFactory = (id: u32) => RootContext;

let rootFactory: RootFactory = (id: u32): RootContext => new RootContext(id);
const roots = new Map<u32, RootContext>();
const streams = new Map<u32, StreamContext>();

/** Chooses the class of the plugin's root context; call it from the module's top level. */
export function setRootContextFactory(factory: RootFactory): void {
  rootFactory = factory;
}

// The stream the host called last: a stream's callbacks come one after the other (create,
// request headers, response headers, log, done, delete), so most lookups end here instead of
// in the map.
let lastStreamId: u32 = 0;
let lastStream: StreamContext | null = null;

export function onContextCreate(contextId: u32, parentId: u32): void {
  if (parentId == 0) {
    roots.set(contextId, rootFactory(contextId));
    return;
  }
  const root = getRoot(parentId);
  if (root === null) {
    log(LogLevel.Error, "stream context without a root context: " + parentId.toString());
    return;
  }
  const stream = root.createStream(contextId);
  streams.set(contextId, stream);
  lastStreamId = contextId;
  lastStream = stream;
}

export function getRoot(id: u32): RootContext | null {
  return roots.has(id) ? roots.get(id) : null;
}

export function getStream(id: u32): StreamContext | null {
  if (id == lastStreamId && lastStream !== null) return lastStream;
  if (!streams.has(id)) return null;
  const stream = streams.get(id);
  lastStreamId = id;
  lastStream = stream;
  return stream;
}

export function onCalloutResponse(rootId: u32, token: u32, numHeaders: u32, bodySize: u32): void {
  const root = getRoot(rootId);
  if (root === null) return;
  const waiter = root.takeCalloutWaiter(token);
  if (waiter < 0) {
    log(LogLevel.Warn, "callout response with an unknown token: ignored");
    return;
  }
  if (waiter == 0) {
    root.onCalloutResponse(token, numHeaders, bodySize);
    return;
  }
  const stream = getStream(<u32>waiter);
  // The stream may have ended (client gone) while its callout was in flight.
  if (stream === null) return;
  if (setEffectiveContext(stream.id) != WasmResult.Ok) return;
  stream.onCalloutResponse(token, numHeaders, bodySize);
}

export function onDone(contextId: u32): bool {
  if (getStream(contextId) !== null) return true;
  const root = getRoot(contextId);
  return root === null ? true : root.onDone();
}

export function onLog(contextId: u32): void {
  const stream = getStream(contextId);
  if (stream !== null) stream.onLog();
}

export function onDelete(contextId: u32): void {
  const stream = getStream(contextId);
  if (stream !== null) {
    stream.onDelete();
    streams.delete(contextId);
    if (lastStreamId == contextId) lastStream = null;
    return;
  }
  if (roots.has(contextId)) roots.delete(contextId);
}

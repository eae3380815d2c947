// The callbacks the module exports to the host (proxy-wasm ABI v0.2.1). The entry file
// re-exports everything here; each callback hands over to the context registry.
import { Action, LogLevel } from "./types";
import { log, refreshLogLevel, sendLocalResponse } from "./host";
import { HeaderPair } from "./headers";
import {
  getRoot, getStream, onCalloutResponse, onContextCreate, onDelete, onDone, onLog,
} from "./context";
import { allocateForHost, collectAfterStream, collectNow } from "./runtime";

/** Marker telling the host which ABI the module speaks; never called. */
export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_memory_allocate(size: usize): usize {
  return allocateForHost(size);
}

export function proxy_on_context_create(contextId: u32, parentId: u32): void {
  onContextCreate(contextId, parentId);
}

export function proxy_on_vm_start(rootId: u32, vmConfigurationSize: usize): bool {
  const root = getRoot(rootId);
  return root !== null && root.onVmStart(vmConfigurationSize);
}

export function proxy_on_configure(rootId: u32, configurationSize: usize): bool {
  const root = getRoot(rootId);
  return root !== null && root.onConfigure(configurationSize);
}

export function proxy_on_tick(rootId: u32): void {
  refreshLogLevel();
  const root = getRoot(rootId);
  if (root !== null) root.onTick();
  collectNow();
}

export function proxy_on_request_headers(streamId: u32, numHeaders: u32, end: bool): Action {
  const stream = getStream(streamId);
  if (stream === null) return refuseUnknownStream(streamId);
  return stream.onRequestHeaders(numHeaders, end);
}

/**
 * A request on a stream the filter has no context for (its root was never configured) must
 * not pass unchecked: the filter decides who gets in, so it fails closed.
 */
function refuseUnknownStream(streamId: u32): Action {
  log(LogLevel.Error, "request on an unknown stream refused: " + streamId.toString());
  const headers = [new HeaderPair("content-type", "text/plain")];
  sendLocalResponse(503, "oidc_sso_no_context", String.UTF8.encode("Service unavailable\n"), headers);
  return Action.Pause;
}

export function proxy_on_request_body(streamId: u32, bodySize: u32, end: bool): Action {
  const stream = getStream(streamId);
  return stream === null ? Action.Continue : stream.onRequestBody(bodySize, end);
}

export function proxy_on_response_headers(streamId: u32, numHeaders: u32, end: bool): Action {
  const stream = getStream(streamId);
  return stream === null ? Action.Continue : stream.onResponseHeaders(numHeaders, end);
}

export function proxy_on_response_body(streamId: u32, bodySize: u32, end: bool): Action {
  const stream = getStream(streamId);
  return stream === null ? Action.Continue : stream.onResponseBody(bodySize, end);
}

export function proxy_on_http_call_response(
  rootId: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32,
): void {
  onCalloutResponse(rootId, token, numHeaders, bodySize);
}

export function proxy_on_done(contextId: u32): bool {
  return onDone(contextId);
}

export function proxy_on_log(contextId: u32): void {
  onLog(contextId);
}

export function proxy_on_delete(contextId: u32): void {
  onDelete(contextId);
  collectAfterStream();
}

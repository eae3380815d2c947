// A filter that does nothing: it exports every callback a stream goes through and answers
// each at once, without a host call. The benchmark loads it exactly as it loads the release
// filter, so what the host costs per request (contexts, header maps, callbacks) is measured
// on its own and the filter's own time is the difference.
//
// Both imports only bring in an abort handler: the one tests/filters/asconfig.json names and
// the one the release asconfig.json names, so the filter builds with either.
import "./lib/abort";
import "../../assembly/abi/runtime";

export function malloc(size: usize): usize {
  return heap.alloc(size);
}

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_context_create(id: u32, parent: u32): void {}

export function proxy_on_vm_start(root: u32, size: u32): bool {
  return true;
}

export function proxy_on_configure(root: u32, size: u32): bool {
  return true;
}

export function proxy_on_request_headers(id: u32, count: u32, end: u32): i32 {
  return 0;
}

export function proxy_on_response_headers(id: u32, count: u32, end: u32): i32 {
  return 0;
}

export function proxy_on_log(id: u32): void {}

export function proxy_on_done(id: u32): bool {
  return true;
}

export function proxy_on_delete(id: u32): void {}

// A filter that makes, for every request, the host calls the release filter makes for a
// request with a valid session, with the same sizes, and does nothing else: read the header
// map, read the clock, remove the Cookie header, add four identity headers. (The release
// filter reads the log level and hands its per-request counters to the host once a tick.)
// The benchmark loads it beside the no-op filter: its time per request is what those calls
// cost in the host, a floor under any filter that does this job there.
import "./lib/abort";
import "../../assembly/abi/runtime";
import {
  OUT, clock_time_get, proxy_add_header_map_value, proxy_get_header_map_pairs,
  proxy_remove_header_map_value,
} from "./lib/host";

const REQUEST_HEADERS = 0;

/** Names and values made once, as the release filter keeps them with a cached session. */
const COOKIE = String.UTF8.encode("cookie");
const NAMES = [
  String.UTF8.encode("x-auth-request-user"),
  String.UTF8.encode("x-auth-request-email"),
  String.UTF8.encode("x-auth-request-preferred-username"),
  String.UTF8.encode("x-auth-request-groups"),
];
const VALUES = [
  String.UTF8.encode("alice"),
  String.UTF8.encode("alice@example.com"),
  String.UTF8.encode("alice"),
  String.UTF8.encode("admins,users"),
];

// Every other callback answers at once, as the no-op filter's do.
export {
  malloc, proxy_abi_version_0_2_1, proxy_on_context_create, proxy_on_vm_start,
  proxy_on_configure, proxy_on_response_headers, proxy_on_log, proxy_on_done, proxy_on_delete,
} from "./noop";

export function proxy_on_request_headers(id: u32, count: u32, end: u32): i32 {
  if (proxy_get_header_map_pairs(REQUEST_HEADERS, OUT, OUT + 4) == 0) {
    const pairs = load<u32>(OUT);
    if (pairs != 0) heap.free(pairs);
  }
  clock_time_get(0, 0, OUT);
  proxy_remove_header_map_value(REQUEST_HEADERS, changetype<usize>(COOKIE), COOKIE.byteLength);
  for (let i = 0; i < NAMES.length; i++) {
    const name = NAMES[i];
    const value = VALUES[i];
    proxy_add_header_map_value(REQUEST_HEADERS, changetype<usize>(name), name.byteLength,
      changetype<usize>(value), value.byteLength);
  }
  return 0;
}

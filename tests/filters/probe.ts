// A scriptable test filter: request headers carry commands ("x-probe: get 0 host; local 403
// no why"), each one a single host call whose result is logged as
// "probe <name> status=<code> value=<value>", so Node tests can check every host function's
// results without a filter per case. Commands for later callbacks ride in other headers
// (x-probe-body, x-probe-response, x-probe-callout, x-probe-log, ...); the plugin
// configuration holds commands for proxy_on_configure, the VM configuration for
// proxy_on_vm_start. "fail" there makes the callback return false.
import {
  OUT, bytesToString, clock_time_get, environ_get, environ_sizes_get, fd_read, fd_write, hex,
  log, proxy_add_header_map_value, proxy_call_foreign_function, proxy_close_stream,
  proxy_continue_stream, proxy_define_metric, proxy_done, proxy_get_buffer_bytes,
  proxy_get_buffer_status, proxy_get_current_time_nanoseconds, proxy_get_header_map_pairs,
  proxy_get_header_map_size, proxy_get_header_map_value, proxy_get_log_level, proxy_get_metric,
  proxy_get_property, proxy_get_shared_data, proxy_get_status, proxy_grpc_call, proxy_http_call,
  proxy_increment_metric, proxy_log, proxy_record_metric, proxy_register_shared_queue,
  proxy_remove_header_map_value, proxy_replace_header_map_value, proxy_send_local_response,
  proxy_set_buffer_bytes, proxy_set_effective_context, proxy_set_header_map_pairs,
  proxy_set_property, proxy_set_shared_data, proxy_set_tick_period_milliseconds, ptr,
  random_get, renderPairs, serializePairs, takeOut, utf8,
} from "./lib/host";

export function malloc(size: usize): usize {
  return heap.alloc(size);
}

export function proxy_abi_version_0_2_1(): void {}

/** Commands for the later callbacks of one stream, read from its request headers. */
class StreamScript {
  body: string = "";
  response: string = "";
  responseBody: string = "";
  callout: string = "";
  onLog: string = "";
  onDone: string = "";
  actionBody: i32 = 0;
  actionResponse: i32 = 0;
  actionResponseBody: i32 = 0;
  doneResult: i32 = 1;
}

const scripts = new Map<u32, StreamScript>();
const calloutStreams = new Map<u32, u32>();
let currentStream: u32 = 0;
let lastMetric: u32 = 0;
let failCallback = false;
let delayDone = false;

function report(name: string, status: i32, value: string = ""): void {
  let line = "probe " + name + " status=" + status.toString();
  if (value.length > 0) line += " value=" + value;
  log(2, line);
}

function parseU32(s: string): u32 {
  return <u32>I64.parseInt(s);
}

function header(name: string): string {
  const key = utf8(name);
  if (proxy_get_header_map_value(0, ptr(key), key.byteLength, OUT, OUT + 4) != 0) return "";
  return bytesToString(takeOut());
}

function action(name: string): i32 {
  const value = header(name);
  if (value == "pause") return 1;
  if (value.length == 0 || value == "continue") return 0;
  return <i32>parseU32(value);
}

function run(script: string): void {
  if (script.length == 0) return;
  const commands = script.split(";");
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i].trim();
    if (command.length > 0) runOne(command.split(" "));
  }
}

function rest(args: string[], from: i32): string {
  return args.slice(from).join(" ");
}

function runOne(a: string[]): void {
  const name = a[0];
  if (name == "fail") { failCallback = true; return; }
  if (name == "delaydone") { delayDone = true; return; }
  if (name == "trap") unreachable();
  if (name == "log") { report(name, log(<i32>parseU32(a[1]), rest(a, 2))); return; }
  if (name == "loglevel") {
    const s = proxy_get_log_level(OUT);
    report(name, s, load<u32>(OUT).toString());
    return;
  }
  if (runMaps(name, a)) return;
  if (runProperties(name, a)) return;
  if (runMetrics(name, a)) return;
  if (runStreams(name, a)) return;
  if (runBuffers(name, a)) return;
  if (runWasi(name, a)) return;
  if (runMisc(name, a)) return;
  report("unknown:" + name, -1);
}

function runMaps(name: string, a: string[]): bool {
  const map = a.length > 1 ? <i32>parseU32(a[1]) : 0;
  const key = a.length > 2 ? utf8(a[2]) : new ArrayBuffer(0);
  const value = a.length > 3 ? utf8(rest(a, 3)) : new ArrayBuffer(0);
  if (name == "get") {
    const s = proxy_get_header_map_value(map, ptr(key), key.byteLength, OUT, OUT + 4);
    report(name, s, s == 0 ? bytesToString(takeOut()) : "");
  } else if (name == "add") {
    report(name, proxy_add_header_map_value(map, ptr(key), key.byteLength, ptr(value),
      value.byteLength));
  } else if (name == "replace") {
    report(name, proxy_replace_header_map_value(map, ptr(key), key.byteLength, ptr(value),
      value.byteLength));
  } else if (name == "remove") {
    report(name, proxy_remove_header_map_value(map, ptr(key), key.byteLength));
  } else if (name == "pairs") {
    store<u32>(OUT, 0xdead);
    const s = proxy_get_header_map_pairs(map, OUT, OUT + 4);
    report(name, s, s == 0 ? renderPairs(takeOut()) : "");
  } else if (name == "size") {
    const s = proxy_get_header_map_size(map, OUT);
    report(name, s, s == 0 ? load<u32>(OUT).toString() : "");
  } else if (name == "setpairs") {
    const pairs = serializePairs(a.length > 2 ? a[2] : "");
    report(name, proxy_set_header_map_pairs(map, ptr(pairs), pairs.byteLength));
  } else if (name == "setpairs-bad") {
    const bad = serializePairs("a=1");
    store<u32>(ptr(bad), 5); // claims five pairs in a buffer holding one
    report(name, proxy_set_header_map_pairs(map, ptr(bad), bad.byteLength));
  } else {
    return false;
  }
  return true;
}

function runProperties(name: string, a: string[]): bool {
  if (name == "prop") {
    const path = utf8(a[1].replaceAll("|", "\0"));
    const s = proxy_get_property(ptr(path), path.byteLength, OUT, OUT + 4);
    report(name, s, s == 0 ? hex(takeOut()) : "");
  } else if (name == "setprop") {
    const path = utf8(a[1]);
    const value = utf8(rest(a, 2));
    report(name, proxy_set_property(ptr(path), path.byteLength, ptr(value), value.byteLength));
  } else if (name == "shget") {
    const key = utf8(a[1]);
    const s = proxy_get_shared_data(ptr(key), key.byteLength, OUT, OUT + 4, OUT + 8);
    const cas = load<u32>(OUT, 8);
    report(name, s, s == 0 ? bytesToString(takeOut()) + " cas=" + cas.toString() : "");
  } else if (name == "shset") {
    const key = utf8(a[1]);
    const value = utf8(a[2]);
    const cas = a.length > 3 ? parseU32(a[3]) : 0;
    report(name, proxy_set_shared_data(ptr(key), key.byteLength, ptr(value), value.byteLength,
      cas));
  } else {
    return false;
  }
  return true;
}

function runMetrics(name: string, a: string[]): bool {
  if (name == "metric") {
    const n = utf8(a[2]);
    const s = proxy_define_metric(<i32>parseU32(a[1]), ptr(n), n.byteLength, OUT);
    if (s == 0) lastMetric = load<u32>(OUT);
    report(name, s, s == 0 ? lastMetric.toString() : "");
  } else if (name == "mid") {
    lastMetric = parseU32(a[1]);
  } else if (name == "inc") {
    report(name, proxy_increment_metric(lastMetric, I64.parseInt(a[1])));
  } else if (name == "record") {
    report(name, proxy_record_metric(lastMetric, <u64>I64.parseInt(a[1])));
  } else if (name == "mget") {
    const s = proxy_get_metric(lastMetric, OUT);
    report(name, s, s == 0 ? load<u64>(OUT).toString() : "");
  } else {
    return false;
  }
  return true;
}

function callout(a: string[]): void {
  const omit = a.length > 4 ? a[4] : "";
  let headers = "";
  if (omit != "nomethod") headers += ":method=" + (a.length > 5 ? "POST" : "GET");
  if (omit != "nopath") headers += (headers.length > 0 ? "," : "") + ":path=" + a[2];
  if (omit != "noauthority") headers += (headers.length > 0 ? "," : "") + ":authority=idp.test";
  headers += ",x-probe-stream=" + currentStream.toString();
  const pairs = serializePairs(headers);
  const cluster = utf8(a[1]);
  const body = utf8(a.length > 5 ? a[5] : "");
  const trailers = new ArrayBuffer(0);
  const s = proxy_http_call(ptr(cluster), cluster.byteLength, ptr(pairs), pairs.byteLength,
    ptr(body), body.byteLength, ptr(trailers), 0, <u32>I64.parseInt(a[3]), OUT);
  const token = load<u32>(OUT);
  if (s == 0) calloutStreams.set(token, currentStream);
  report("call", s, token.toString());
}

function runStreams(name: string, a: string[]): bool {
  if (name == "effective") {
    const id = a[1] == "$" ? currentStream : parseU32(a[1]);
    report(name, proxy_set_effective_context(id));
  } else if (name == "continue") {
    report(name, proxy_continue_stream(<i32>parseU32(a[1])));
  } else if (name == "close") {
    report(name, proxy_close_stream(<i32>parseU32(a[1])));
  } else if (name == "local") {
    const body = utf8(a[2] == "-" ? "" : a[2]);
    const headers = serializePairs(a[3] == "-" ? "" : a[3]);
    const details = utf8(rest(a, 4));
    report(name, proxy_send_local_response(parseU32(a[1]), ptr(details), details.byteLength,
      ptr(body), body.byteLength, ptr(headers), headers.byteLength, -1));
  } else if (name == "call") {
    callout(a);
  } else if (name == "status") {
    const s = proxy_get_status(OUT + 8, OUT, OUT + 4);
    const code = load<u32>(OUT, 8);
    report(name, s, code.toString() + ":" + bytesToString(takeOut()));
  } else if (name == "done") {
    report(name, proxy_done());
  } else if (name == "tick") {
    report(name, proxy_set_tick_period_milliseconds(parseU32(a[1])));
  } else {
    return false;
  }
  return true;
}

function runBuffers(name: string, a: string[]): bool {
  const type = a.length > 1 ? <i32>parseU32(a[1]) : 0;
  if (name == "buf") {
    const s = proxy_get_buffer_bytes(type, parseU32(a[2]), parseU32(a[3]), OUT, OUT + 4);
    report(name, s, s == 0 ? bytesToString(takeOut()) : "");
  } else if (name == "bufstat") {
    const s = proxy_get_buffer_status(type, OUT, OUT + 4);
    report(name, s, s == 0 ? load<u32>(OUT).toString() : "");
  } else if (name == "setbuf") {
    const value = utf8(rest(a, 4));
    report(name, proxy_set_buffer_bytes(type, parseU32(a[2]), parseU32(a[3]), ptr(value),
      value.byteLength));
  } else if (name == "bodytoheader") {
    // The callout's whole body, copied into a request header of the effective stream.
    const s = proxy_get_buffer_bytes(4, 0, 0xffffffff, OUT, OUT + 4);
    const value = utf8(s == 0 ? bytesToString(takeOut()) : "");
    const key = utf8(a[1]);
    report(name, proxy_add_header_map_value(0, ptr(key), key.byteLength, ptr(value),
      value.byteLength));
  } else {
    return false;
  }
  return true;
}

function runWasi(name: string, a: string[]): bool {
  if (name == "fdwrite") {
    const text = utf8(rest(a, 2) + "\n");
    const iov = memory.data(8);
    store<u32>(iov, <u32>ptr(text));
    store<u32>(iov, text.byteLength, 4);
    const e = fd_write(parseU32(a[1]), iov, 1, OUT);
    report(name, e, e == 0 ? load<u32>(OUT).toString() : "");
  } else if (name == "fdread") {
    report(name, fd_read(0, OUT, 0, OUT + 4));
  } else if (name == "clock") {
    const e = clock_time_get(parseU32(a[1]), 0, OUT);
    report(name, e, e == 0 ? load<u64>(OUT).toString() : "");
  } else if (name == "time") {
    const s = proxy_get_current_time_nanoseconds(OUT);
    report(name, s, load<u64>(OUT).toString());
  } else if (name == "random") {
    const size = parseU32(a[1]);
    const buffer = heap.alloc(size > 0 ? size : 1);
    const e = random_get(buffer, size);
    report(name, e, size >= 8 ? load<u64>(buffer).toString() : "");
    heap.free(buffer);
  } else if (name == "env") {
    environ_sizes_get(OUT, OUT + 4);
    const count = load<u32>(OUT);
    const array = heap.alloc(count * 4 + 4);
    const buffer = heap.alloc(load<u32>(OUT, 4) + 1);
    const e = environ_get(array, buffer);
    let out = "";
    for (let i: u32 = 0; i < count; i++) {
      const entry = <usize>load<u32>(array + i * 4);
      let end = entry;
      while (load<u8>(end) != 0) end++;
      if (i > 0) out += ",";
      out += String.UTF8.decodeUnsafe(entry, end - entry);
    }
    report(name, e, count.toString() + ":" + out);
    heap.free(array);
    heap.free(buffer);
  } else {
    return false;
  }
  return true;
}

function runMisc(name: string, a: string[]): bool {
  if (name == "badptr") {
    const what = a[1];
    const far: usize = 0xfffffff0;
    let s = -1;
    if (what == "log") s = proxy_log(2, far, 100);
    else if (what == "out") s = proxy_get_header_map_pairs(0, far, far + 4);
    else if (what == "level") s = proxy_log(9, OUT, 0);
    else if (what == "maptype") s = proxy_get_header_map_pairs(9, OUT, OUT + 4);
    else if (what == "buftype") s = proxy_get_buffer_status(9, OUT, OUT + 4);
    report(name + ":" + what, s);
  } else if (name == "grpc") {
    report(name, proxy_grpc_call(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000, OUT));
  } else if (name == "queue") {
    const q = utf8("q");
    report(name, proxy_register_shared_queue(ptr(q), q.byteLength, OUT));
  } else if (name == "foreign") {
    const f = utf8("compress");
    report(name, proxy_call_foreign_function(ptr(f), f.byteLength, 0, 0, OUT, OUT + 4));
  } else if (name == "grow") {
    report(name, 0, memory.grow(<i32>parseU32(a[1])).toString());
  } else if (name == "bigalloc") {
    // A header value large enough that the host's allocation must grow memory.
    const key = utf8("x-big");
    const s = proxy_get_header_map_value(0, ptr(key), key.byteLength, OUT, OUT + 4);
    const value = takeOut();
    const shown = value === null ? "null" : value.length.toString() + ":" + hex(value.slice(0, 4));
    report(name, s, shown);
  } else {
    return false;
  }
  return true;
}

// ---- Root callbacks ----

export function proxy_on_context_create(id: u32, parent: u32): void {
  log(1, "create " + id.toString() + " " + parent.toString());
  if (parent != 0) scripts.set(id, new StreamScript());
}

function readConfig(type: i32, size: u32): string {
  const s = proxy_get_buffer_bytes(type, 0, size, OUT, OUT + 4);
  const bytes = s == 0 ? takeOut() : null;
  report("config" + type.toString(), s, s == 0 ? bytesToString(bytes) : "");
  return bytes === null ? "" : bytesToString(bytes);
}

export function proxy_on_vm_start(root: u32, size: u32): bool {
  failCallback = false;
  const text = readConfig(6, size);
  readConfig(7, size);
  run(text);
  return !failCallback;
}

export function proxy_on_configure(root: u32, size: u32): bool {
  failCallback = false;
  const text = readConfig(7, size);
  readConfig(6, size);
  run(text);
  return !failCallback;
}

export function proxy_on_tick(root: u32): void {
  log(2, "tick " + root.toString());
  if (delayDone) report("done", proxy_done());
}

export function proxy_on_http_call_response(
  root: u32, token: u32, headers: u32, body: u32, trailers: u32,
): void {
  log(2, "callout " + root.toString() + " " + token.toString() + " " + headers.toString() + " " +
    body.toString() + " " + trailers.toString());
  if (!calloutStreams.has(token)) return;
  currentStream = calloutStreams.get(token);
  calloutStreams.delete(token);
  if (scripts.has(currentStream)) run(scripts.get(currentStream).callout);
}

// ---- Stream callbacks ----

export function proxy_on_request_headers(id: u32, count: u32, end: u32): i32 {
  currentStream = id;
  log(2, "request_headers " + id.toString() + " " + count.toString() + " " + end.toString());
  const script = scripts.has(id) ? scripts.get(id) : new StreamScript();
  scripts.set(id, script);
  script.body = header("x-probe-body");
  script.response = header("x-probe-response");
  script.responseBody = header("x-probe-response-body");
  script.callout = header("x-probe-callout");
  script.onLog = header("x-probe-log");
  script.onDone = header("x-probe-done");
  script.actionBody = action("x-action-body");
  script.actionResponse = action("x-action-response");
  script.actionResponseBody = action("x-action-response-body");
  script.doneResult = header("x-done-result") == "false" ? 0 : 1;
  const result = action("x-action");
  run(header("x-probe"));
  return result;
}

export function proxy_on_request_body(id: u32, size: u32, end: u32): i32 {
  currentStream = id;
  log(2, "request_body " + id.toString() + " " + size.toString() + " " + end.toString());
  if (!scripts.has(id)) return 0;
  run(scripts.get(id).body);
  return scripts.get(id).actionBody;
}

export function proxy_on_response_headers(id: u32, count: u32, end: u32): i32 {
  currentStream = id;
  log(2, "response_headers " + id.toString() + " " + count.toString() + " " + end.toString());
  if (!scripts.has(id)) return 0;
  run(scripts.get(id).response);
  return scripts.get(id).actionResponse;
}

export function proxy_on_response_body(id: u32, size: u32, end: u32): i32 {
  currentStream = id;
  log(2, "response_body " + id.toString() + " " + size.toString() + " " + end.toString());
  if (!scripts.has(id)) return 0;
  run(scripts.get(id).responseBody);
  return scripts.get(id).actionResponseBody;
}

export function proxy_on_log(id: u32): void {
  currentStream = id;
  log(2, "log " + id.toString());
  if (scripts.has(id)) run(scripts.get(id).onLog);
}

export function proxy_on_done(id: u32): bool {
  currentStream = id;
  log(2, "done " + id.toString());
  if (!scripts.has(id)) return !delayDone;
  run(scripts.get(id).onDone);
  return scripts.get(id).doneResult != 0;
}

export function proxy_on_delete(id: u32): void {
  log(2, "delete " + id.toString());
  scripts.delete(id);
}

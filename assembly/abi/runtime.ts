// Memory the host and the filter share: the allocator the host calls to hand values to the
// filter, the scratch words host calls write their results into, and the abort handler.
import { proxy_log } from "./imports";
import { LogLevel } from "./types";

/**
 * Called by the host to allocate memory for a value it returns (a header, a buffer, a
 * property). The block is a managed ArrayBuffer, pinned so that the garbage collector keeps
 * it until `takeHostBuffer` adopts it. Exported as `proxy_on_memory_allocate`.
 */
export function allocateForHost(size: usize): usize {
  return __pin(__new(size, idof<ArrayBuffer>()));
}

// Out-parameters of host calls: two u32 words (pointer and size, or a single value). Host
// calls never nest, so one static area serves every call.
const SCRATCH: usize = memory.data(16);
export const RETURN_PTR: usize = SCRATCH;
export const RETURN_SIZE: usize = SCRATCH + 4;
export const RETURN_EXTRA: usize = SCRATCH + 8;

/** Clears the out-parameters before a host call, so a host that writes nothing reads as 0. */
export function clearReturn(): void {
  store<u64>(SCRATCH, 0);
  store<u64>(SCRATCH, 0, 8);
}

const EMPTY = new ArrayBuffer(0);

/**
 * Takes ownership of the value the host wrote into RETURN_PTR/RETURN_SIZE. The host writes
 * pointer 0 and size 0 for an empty value without allocating (Envoy does so).
 */
export function takeHostBuffer(): ArrayBuffer {
  const ptr = load<u32>(RETURN_PTR) as usize;
  const size = load<u32>(RETURN_SIZE) as usize;
  if (ptr == 0 || size == 0) {
    if (ptr != 0) __unpin(ptr);
    return EMPTY;
  }
  const buffer = changetype<ArrayBuffer>(ptr);
  __unpin(ptr);
  // A host must return the block it allocated with the size it asked for; anything else
  // would make the filter read memory it does not own.
  if (<usize>buffer.byteLength != size) return EMPTY;
  return buffer;
}

/**
 * AssemblyScript's abort handler (asconfig.json: `use abort=...`). Envoy has no
 * `env.abort`, so the filter brings its own: it logs at critical level and traps. Filter
 * code is written so that this never runs: a trap fails the VM for every later request.
 */
export function abortFilter(
  message: string | null, fileName: string | null, line: u32, column: u32,
): void {
  let text = "filter aborted";
  if (message !== null) text += ": " + message;
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  const bytes = String.UTF8.encode(text);
  proxy_log(LogLevel.Critical, changetype<usize>(bytes), <usize>bytes.byteLength);
  unreachable();
}

// ---- Garbage collection ----
//
// The module uses AssemblyScript's minimal runtime: objects are freed only by a full
// collection, which must run when no managed value lives on the wasm stack (it does not scan
// it). The end of a top-level callback is such a point: collections run after every
// `streamsPerCollection` ended streams and on each tick. The minimal runtime keeps the module
// small and every function free of the incremental collector's shadow-stack bookkeeping.
const STREAMS_PER_COLLECTION = 64;
let streamsPerCollection = STREAMS_PER_COLLECTION;
let streamsSinceCollection = 0;

/**
 * A collection marks every live object, so its cost grows with what the module keeps (a full
 * session cache is tens of thousands of objects), while a stream leaves a few kilobytes of
 * garbage. A filter that keeps about `liveObjects` objects spaces collections out in
 * proportion, so that marking costs about the same per stream however much it keeps, at the
 * price of more garbage held between two collections: one stream more per 32 live objects
 * (a full cache: a collection every 1,000 streams or so, about 3 MB of garbage).
 */
export function collectInProportionTo(liveObjects: i32): void {
  streamsPerCollection = STREAMS_PER_COLLECTION + max(0, liveObjects) / 32;
}

/**
 * Counts work that leaves as much garbage as `streams` ordinary streams, so that collections
 * come as soon as that garbage calls for them (after a start, every user's first request opens
 * a sealed session) instead of letting it pile up. Collects nothing by itself.
 */
export function countGarbageOf(streams: i32): void {
  streamsSinceCollection += max(0, streams);
}

/** Called when a stream has ended (proxy_on_delete returns next). */
export function collectAfterStream(): void {
  if (++streamsSinceCollection < streamsPerCollection) return;
  collectNow();
}

/** Collects now; only at the end of a top-level callback. */
export function collectNow(): void {
  streamsSinceCollection = 0;
  __collect();
}

// as-pect runs the AssemblyScript unit tests (tests/assembly/*.spec.ts). Pure modules (crypto,
// codecs, rules, configuration) are tested here; anything that talks to the proxy-wasm host is
// tested through the Node host in tests/node instead.
import { randomFillSync } from "node:crypto";

export default {
  entries: ["tests/assembly/**/*.spec.ts"],
  include: ["tests/assembly/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    // WASI calls a pure module may reach (randomness, the clock), answered as Envoy would.
    const view = () => new DataView(memory.buffer);
    const wasi = {
      random_get(ptr, len) {
        randomFillSync(new Uint8Array(memory.buffer, ptr >>> 0, len >>> 0));
        return 0;
      },
      clock_time_get(_id, _precision, out) {
        view().setBigUint64(out >>> 0, BigInt(Date.now()) * 1000000n, true);
        return 0;
      },
    };
    return instantiate(
      binary,
      createImports({ env: { memory }, wasi_snapshot_preview1: wasi }),
    );
  },
  outputBinary: false,
};

// Envoy's shared key-value store: one per Envoy process, partitioned by VM id, shared by every
// VM (every worker, the canary, a reconfigured plugin) with the same VM id. A set with a
// non-zero CAS succeeds only if it matches the key's current CAS; CAS values start at 1 and skip
// 0 (cpp-host SharedData). A host object here stands for one Envoy process.
import { WasmResult } from "./abi.ts";

export interface SharedValue {
  value: Uint8Array;
  cas: number;
}

export class SharedDataStore {
  private readonly data = new Map<string, Map<string, SharedValue>>();
  private nextCas = 1;

  get(vmId: string, key: string): SharedValue | undefined {
    return this.data.get(vmId)?.get(key);
  }

  set(vmId: string, key: string, value: Uint8Array, cas: number): WasmResult {
    let map = this.data.get(vmId);
    if (!map) {
      map = new Map();
      this.data.set(vmId, map);
    }
    const current = map.get(key);
    if (current && cas !== 0 && cas !== current.cas) return WasmResult.CasMismatch;
    map.set(key, { value: new Uint8Array(value), cas: this.takeCas() });
    return WasmResult.Ok;
  }

  private takeCas(): number {
    const cas = this.nextCas;
    this.nextCas = (this.nextCas + 1) >>> 0 || 1;
    return cas;
  }
}

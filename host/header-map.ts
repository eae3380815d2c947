// A header map with Envoy's semantics: names are lowercased, pseudo-headers (":name") stay
// ahead of regular headers, `get` returns the first value, `replace` drops every value of the
// name and appends one, `remove` drops every value, and the byte size is the sum of the name
// and value lengths (HeaderMapImpl::byteSize).
import type { HeaderPairs } from "./pairs.ts";

export class HeaderMap {
  private entries: HeaderPairs = [];

  constructor(pairs: HeaderPairs = []) {
    for (const [key, value] of pairs) this.add(key, value);
  }

  get size(): number {
    return this.entries.length;
  }

  get(key: string): string | undefined {
    const lower = key.toLowerCase();
    return this.entries.find(([k]) => k === lower)?.[1];
  }

  getAll(key: string): string[] {
    const lower = key.toLowerCase();
    return this.entries.filter(([k]) => k === lower).map(([, v]) => v);
  }

  add(key: string, value: string): void {
    const lower = key.toLowerCase();
    if (!lower.startsWith(":")) {
      this.entries.push([lower, value]);
      return;
    }
    const firstRegular = this.entries.findIndex(([k]) => !k.startsWith(":"));
    const at = firstRegular === -1 ? this.entries.length : firstRegular;
    this.entries.splice(at, 0, [lower, value]);
  }

  replace(key: string, value: string): void {
    this.remove(key);
    this.add(key, value);
  }

  remove(key: string): void {
    const lower = key.toLowerCase();
    this.entries = this.entries.filter(([k]) => k !== lower);
  }

  setAll(pairs: HeaderPairs): void {
    this.entries = [];
    for (const [key, value] of pairs) this.add(key, value);
  }

  pairs(): HeaderPairs {
    return this.entries.map(([k, v]) => [k, v]);
  }

  /** The entries themselves, for serializing without a copy; not to be kept or changed. */
  view(): readonly (readonly [string, string])[] {
    return this.entries;
  }

  byteSize(): number {
    let size = 0;
    for (const [k, v] of this.entries) size += k.length + v.length; // latin1: a char is a byte
    return size;
  }
}

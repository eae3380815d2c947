// The filter as an OCI image in the "compat" variant of the Wasm image specification: one
// `application/vnd.oci.image.layer.v1.tar+gzip` layer holding `plugin.wasm`. Istio's fetcher
// tries this variant first for OCI manifests and takes the module from the last layer. It is
// an ordinary OCI image, so every registry and image tool (skopeo, crane, umoci) handles it;
// the other variant (a raw `application/vnd.module.wasm.content.layer.v1+wasm` layer) must
// have exactly two layers and is an artifact that general image tools cannot unpack. The
// image is reproducible: the same module gives the same digests (fixed tar header fields;
// gzip writes no timestamp).
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

export const MEDIA_TYPES = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

/** The file name Istio looks for in the layer. */
export const MODULE_FILE = "plugin.wasm";

export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

export interface WasmImage {
  manifest: Blob;
  config: Blob;
  layer: Blob;
  /** sha256 of the module itself (hex), what Istio checks for http(s) URLs. */
  moduleSha256: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function blob(mediaType: string, bytes: Buffer): Blob {
  return { mediaType, digest: `sha256:${sha256Hex(bytes)}`, size: bytes.length, bytes };
}

function descriptor(b: Blob): { mediaType: string; digest: string; size: number } {
  return { mediaType: b.mediaType, digest: b.digest, size: b.size };
}

export function buildWasmImage(module: Uint8Array): WasmImage {
  const tar = tarOneFile(MODULE_FILE, module);
  const layer = blob(MEDIA_TYPES.layer, gzipSync(tar, { level: 9 }));
  const config = blob(MEDIA_TYPES.config, Buffer.from(JSON.stringify({
    // Go's names for WebAssembly, which the image specification borrows.
    architecture: "wasm",
    os: "wasip1",
    config: { Labels: { "module.wasm.image/variant": "compat" } },
    rootfs: { type: "layers", diff_ids: [`sha256:${sha256Hex(tar)}`] },
  })));
  const manifest = blob(MEDIA_TYPES.manifest, Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: descriptor(config),
    layers: [descriptor(layer)],
  })));
  return { manifest, config, layer, moduleSha256: sha256Hex(module) };
}

const BLOCK = 512;

/**
 * A POSIX ustar archive of one regular file (mode 0644, owner 0, time 0), ended by the two
 * zero blocks the format requires.
 */
export function tarOneFile(name: string, content: Uint8Array): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  const header = Buffer.alloc(BLOCK);
  const field = (offset: number, length: number, value: string): void => {
    header.write(value, offset, length, "ascii");
  };
  const octal = (offset: number, length: number, value: number): void => {
    field(offset, length - 1, value.toString(8).padStart(length - 1, "0"));
  };
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, content.length);
  octal(136, 12, 0);
  field(156, 1, "0");
  field(257, 6, "ustar\0");
  field(263, 2, "00");
  // The checksum is computed with its own field read as eight spaces.
  field(148, 8, " ".repeat(8));
  const sum = header.reduce((total, byte) => total + byte, 0);
  field(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
  return Buffer.concat([header, content, Buffer.alloc(padding), Buffer.alloc(2 * BLOCK)]);
}

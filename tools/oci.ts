// oci push <registry/name:tag>: builds the OCI image of the filter (tools/lib/oci-image.ts)
// and pushes it over the registry's HTTP API, without Docker. Prints, one `key: value` a line,
// the manifest digest and the module's sha256, and the WasmPlugin `url` and `sha256` to use:
// for an oci:// URL Istio compares `sha256` with the digest of the manifest it pulls (for an
// http(s) URL, with the module's own sha256). Credentials, when the registry asks for them,
// come from OCI_USERNAME and OCI_PASSWORD (never from arguments, which other users can see).
import { readFileSync } from "node:fs";
import { RELEASE_WASM } from "./lib/filter-check.ts";
import { buildWasmImage } from "./lib/oci-image.ts";
import {
  parseReference, registryBase, RegistryClient, RegistryError, type Credentials,
} from "./lib/oci-registry.ts";

const USAGE = "usage: oci push <registry/name:tag> [--wasm <module.wasm>] [--plain-http]";

interface PushOptions {
  reference: string;
  wasm: string;
  plainHttp: boolean;
}

function parseArgs(args: string[]): PushOptions | null {
  const rest = [...args];
  const plainHttp = rest.includes("--plain-http");
  const wasmAt = rest.indexOf("--wasm");
  const wasm = wasmAt >= 0 ? rest.splice(wasmAt, 2)[1] : RELEASE_WASM;
  const positional = rest.filter((a) => a !== "--plain-http");
  if (positional.length !== 2 || positional[0] !== "push" || !wasm) return null;
  return { reference: positional[1], wasm, plainHttp };
}

function credentials(): Credentials | null {
  const { OCI_USERNAME: username, OCI_PASSWORD: password } = process.env;
  return username && password ? { username, password } : null;
}

async function push(options: PushOptions): Promise<void> {
  const ref = parseReference(options.reference);
  const image = buildWasmImage(readFileSync(options.wasm));
  const client = new RegistryClient(
    registryBase(ref.registry, options.plainHttp), ref.repository, credentials());
  // Blobs first: a registry refuses a manifest whose blobs it does not have.
  for (const blob of [image.layer, image.config]) await client.pushBlob(blob);
  const digest = await client.pushManifest(ref.tag, image.manifest);
  if (digest !== image.manifest.digest) {
    throw new RegistryError(`the registry stored digest ${digest}, not ${image.manifest.digest}`);
  }
  const hex = digest.slice("sha256:".length);
  const lines = {
    "image": `${ref.registry}/${ref.repository}:${ref.tag}`,
    "manifest-digest": digest,
    "wasm-sha256": image.moduleSha256,
    "wasmplugin-url": `oci://${ref.registry}/${ref.repository}@${digest}`,
    "wasmplugin-sha256": hex,
  };
  for (const [key, value] of Object.entries(lines)) console.log(`${key}: ${value}`);
}

async function main(args: string[]): Promise<number> {
  const options = parseArgs(args);
  if (!options) {
    console.error(USAGE);
    return 2;
  }
  try {
    await push(options);
    return 0;
  } catch (error) {
    const known = error instanceof RegistryError || (error as NodeJS.ErrnoException).code;
    if (!known && !(error instanceof TypeError)) throw error;
    const cause = (error as { cause?: Error }).cause;
    console.error(`oci: ${(error as Error).message}${cause ? ` (${cause.message})` : ""}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

// A client of the OCI distribution API (distribution-spec v1.1), just enough to push and pull
// one image: blob existence checks, monolithic blob uploads (POST for a session, then one PUT
// with the digest), manifest PUT and GET, blob GET. Authentication answers the registry's own
// challenge: Basic, or a Bearer token fetched from the realm it names (with Basic credentials
// when given), as registries like Docker Hub or GHCR ask.
import type { Blob } from "./oci-image.ts";

export interface ImageReference {
  registry: string;
  repository: string;
  tag: string;
}

export interface Credentials {
  username: string;
  password: string;
}

export class RegistryError extends Error {}

/** `host[:port]/path/name:tag`; the registry part is required (no implicit Docker Hub). */
export function parseReference(text: string): ImageReference {
  const match = /^([^/]+)\/([a-z0-9]+(?:[._/-][a-z0-9]+)*):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/
    .exec(text);
  if (!match || !/[.:]|^localhost$/.test(match[1])) {
    throw new RegistryError(`not an image reference like registry.example.com/name:tag: ${text}`);
  }
  return { registry: match[1], repository: match[2], tag: match[3] };
}

/** Loopback registries speak plain HTTP (as Docker and Istio allow); all others HTTPS. */
export function registryBase(registry: string, plainHttp = false): string {
  const host = registry.replace(/:\d+$/, "");
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(host);
  return `${plainHttp || loopback ? "http" : "https"}://${registry}`;
}

export class RegistryClient {
  private authorization: string | null = null;

  constructor(
    private readonly base: string,
    private readonly repository: string,
    private readonly credentials: Credentials | null = null,
  ) {}

  private url(path: string): string {
    return `${this.base}/v2/${this.repository}/${path}`;
  }

  /** Sends a request; on a 401 challenge, authenticates once and sends it again. */
  private async send(url: string, init: RequestInit = {}): Promise<Response> {
    const attempt = (): Promise<Response> => {
      const headers = new Headers(init.headers);
      if (this.authorization) headers.set("authorization", this.authorization);
      return fetch(url, { ...init, headers });
    };
    const response = await attempt();
    if (response.status !== 401) return response;
    await response.arrayBuffer();
    this.authorization = await answerChallenge(
      response.headers.get("www-authenticate") ?? "", this.repository, this.credentials);
    return attempt();
  }

  async hasBlob(digest: string): Promise<boolean> {
    const response = await this.send(this.url(`blobs/${digest}`), { method: "HEAD" });
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw await failure("HEAD blob", response);
  }

  /** Uploads a blob unless the registry has it already; returns whether it was sent. */
  async pushBlob(blob: Blob): Promise<boolean> {
    if (await this.hasBlob(blob.digest)) return false;
    const start = await this.send(this.url("blobs/uploads/"), { method: "POST" });
    const location = start.headers.get("location");
    if (start.status !== 202 || !location) throw await failure("start upload", start);
    await start.arrayBuffer();
    const target = new URL(location, this.base);
    target.searchParams.set("digest", blob.digest);
    const done = await this.send(target.href, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array(blob.bytes),
    });
    if (done.status !== 201) throw await failure("upload blob", done);
    await done.arrayBuffer();
    return true;
  }

  /** Stores the manifest under `reference`; returns the digest the registry reports. */
  async pushManifest(reference: string, manifest: Blob): Promise<string> {
    const response = await this.send(this.url(`manifests/${reference}`), {
      method: "PUT",
      headers: { "content-type": manifest.mediaType },
      body: new Uint8Array(manifest.bytes),
    });
    if (response.status !== 201) throw await failure("put manifest", response);
    await response.arrayBuffer();
    return response.headers.get("docker-content-digest") ?? manifest.digest;
  }

  async pullManifest(reference: string, accept: string): Promise<{ bytes: Buffer;
    mediaType: string; digest: string | null }> {
    const response = await this.send(this.url(`manifests/${reference}`), {
      headers: { accept },
    });
    if (response.status !== 200) throw await failure("get manifest", response);
    return {
      bytes: Buffer.from(await response.arrayBuffer()),
      mediaType: response.headers.get("content-type") ?? "",
      digest: response.headers.get("docker-content-digest"),
    };
  }

  async pullBlob(digest: string): Promise<Buffer> {
    const response = await this.send(this.url(`blobs/${digest}`));
    if (response.status !== 200) throw await failure("get blob", response);
    return Buffer.from(await response.arrayBuffer());
  }
}

async function failure(step: string, response: Response): Promise<RegistryError> {
  // Registries answer errors as {"errors":[{code,message}]}: short and free of secrets.
  const body = (await response.text()).slice(0, 300);
  return new RegistryError(`${step}: HTTP ${response.status} ${body}`.trim());
}

/** The parameters of a `Bearer realm="…",service="…",scope="…"` challenge. */
function challengeParameters(header: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [, key, value] of header.matchAll(/(\w+)="([^"]*)"/g)) parameters[key] = value;
  return parameters;
}

async function answerChallenge(
  header: string, repository: string, credentials: Credentials | null,
): Promise<string> {
  const basic = credentials &&
    `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
  if (/^basic/i.test(header)) {
    if (!basic) throw new RegistryError("the registry asks for credentials: set OCI_USERNAME " +
      "and OCI_PASSWORD");
    return basic;
  }
  if (!/^bearer/i.test(header)) throw new RegistryError(`unsupported challenge: ${header}`);
  const { realm, service, scope } = challengeParameters(header);
  if (!realm) throw new RegistryError(`bearer challenge without realm: ${header}`);
  const url = new URL(realm);
  if (service) url.searchParams.set("service", service);
  url.searchParams.set("scope", scope ?? `repository:${repository}:pull,push`);
  const response = await fetch(url, { headers: basic ? { authorization: basic } : {} });
  if (response.status !== 200) throw await failure("get token", response);
  const body = (await response.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new RegistryError("the token endpoint answered without a token");
  return `Bearer ${token}`;
}

// The sample upstream application behind the gateway, with the paths of the reference
// scenarios: /productpage (HTML), /api/v1/products/1 (JSON), /static/jquery.min.js
// (JavaScript). Every answer shows the identity headers the gateway sent, so a person or a
// test can see who the upstream believes the user is.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const IDENTITY_HEADERS = [
  "x-auth-request-user",
  "x-auth-request-email",
  "x-auth-request-preferred-username",
  "x-auth-request-groups",
];

/** What the upstream received, as it reports it in every answer. */
export interface SeenRequest {
  method: string;
  path: string;
  identity: Record<string, string>;
  authorization: boolean;
  cookieNames: string[];
}

function seen(req: IncomingMessage): SeenRequest {
  const identity: Record<string, string> = {};
  for (const name of IDENTITY_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string") identity[name] = value;
  }
  const cookie = req.headers.cookie ?? "";
  const cookieNames = cookie.split(";").map((c) => c.split("=")[0].trim()).filter(Boolean);
  return {
    method: req.method ?? "",
    path: req.url ?? "",
    identity,
    authorization: typeof req.headers.authorization === "string",
    cookieNames,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function productPage(view: SeenRequest): string {
  const rows = Object.entries(view.identity)
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Product page</title></head>
<body><h1>Product page</h1>
<p id="user">${escapeHtml(view.identity["x-auth-request-user"] ?? "anonymous")}</p>
<table id="identity">${rows}</table>
<p><a href="/api/v1/products/1">/api/v1/products/1</a> ·
<a href="/static/jquery.min.js">/static/jquery.min.js</a> ·
<a href="/oauth2/sign_out">sign out</a></p>
<script type="application/json" id="seen">${escapeHtml(JSON.stringify(view))}</script>
</body></html>\n`;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const view = seen(req);
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/productpage" || path === "/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(productPage(view));
  } else if (path.startsWith("/api/v1/products/")) {
    const id = path.slice("/api/v1/products/".length);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id, title: "The Comedy of Errors", seen: view }) + "\n");
  } else if (path.startsWith("/static/")) {
    res.writeHead(200, { "content-type": "application/javascript" });
    res.end(`/* sample static file */\nwindow.seen = ${JSON.stringify(view)};\n`);
  } else {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "not found", seen: view }) + "\n");
  }
}

export interface SampleApp {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the sample application on 127.0.0.1 (port 0: any free port). */
export async function startSampleApp(port = 0): Promise<SampleApp> {
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

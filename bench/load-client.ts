// The load generator of the gateway section, in its own process so that it does not share
// the gateway's event loop: keeps `connections` keep-alive connections busy with the same
// GET for `durationMs` and reports how many responses came back, by status. Driven over the
// IPC channel of child_process.fork: it answers each LoadOrder with a LoadResult.
import http from "node:http";

export interface LoadOrder {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationMs: number;
}

export interface LoadResult {
  /** Responses completed within the duration, by status code. */
  statuses: Record<string, number>;
  errors: number;
  elapsedMs: number;
}

function run(order: LoadOrder): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: order.connections });
  const statuses: Record<string, number> = {};
  let errors = 0;
  const start = performance.now();
  const end = start + order.durationMs;
  const loop = (): Promise<void> =>
    new Promise((resolve) => {
      const next = () => {
        if (performance.now() >= end) return resolve();
        const request = http.get(order.url, { agent, headers: order.headers }, (response) => {
          response.resume();
          response.on("end", () => {
            if (performance.now() <= end) {
              const key = String(response.statusCode);
              statuses[key] = (statuses[key] ?? 0) + 1;
            }
            next();
          });
        });
        request.on("error", () => {
          errors++;
          next();
        });
      };
      next();
    });
  return Promise.all(Array.from({ length: order.connections }, loop)).then(() => {
    agent.destroy();
    return { statuses, errors, elapsedMs: performance.now() - start };
  });
}

process.on("message", (order: LoadOrder) => {
  void run(order).then((result) => process.send?.(result));
});
process.on("disconnect", () => process.exit(0));

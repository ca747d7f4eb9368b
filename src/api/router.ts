/**
 * The API's routes on find-my-way (a radix-tree router): one table, paths as
 * moby's router declares them. Version prefixes (/v1.24 … /v1.44) are taken
 * off before the lookup, so every route answers versioned and unversioned.
 */
import FindMyWay from "find-my-way";
import type { Handler } from "./http.ts";

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "DELETE";

export interface Route {
  handler: Handler;
  /** Attach and exec start: may arrive as an Upgrade. */
  hijack?: boolean;
}

export class Routes {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 1024 });

  add(method: Method | Method[], path: string, handler: Handler, opts: { hijack?: boolean } = {}): void {
    const route: Route = { handler, hijack: opts.hijack };
    for (const m of Array.isArray(method) ? method : [method]) this.router.on(m, path, () => {}, route);
  }

  find(method: string, path: string): { route: Route; params: Record<string, string | undefined> } | null {
    const found = this.router.find(method as Method, path);
    if (!found) return null;
    return { route: found.store as Route, params: found.params };
  }
}

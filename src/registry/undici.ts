/**
 * undici's proxy dispatcher and its request API, without its index: the
 * index also loads fetch, WebSocket, cookies, caches and mocks (~30 ms of
 * start-up here). These are the same classes, wired as the index wires
 * them (undici 7: `Object.assign(Dispatcher.prototype, api)`). Only the
 * proxy path (proxy-send.ts) loads this module.
 */
import { setFlagsFromString } from "node:v8";
import type * as Undici from "undici";
import api from "undici/lib/api/index.js";
import DispatcherImpl from "undici/lib/dispatcher/dispatcher.js";
import EnvHttpProxyAgentImpl from "undici/lib/dispatcher/env-http-proxy-agent.js";

Object.assign((DispatcherImpl as { prototype: object }).prototype, api);

// undici parses HTTP with llhttp compiled to WebAssembly. V8 recompiles it
// with its optimizing tier in background threads, and a process cannot exit
// before those finish: 40–90 ms added to every pull here. The baseline
// compiler alone (before undici compiles the module) parses registry
// responses just as well.
setFlagsFromString("--liftoff-only");

export const EnvHttpProxyAgent = EnvHttpProxyAgentImpl as unknown as typeof Undici.EnvHttpProxyAgent;
export type { Dispatcher } from "undici";

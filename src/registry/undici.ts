/**
 * undici's pooled dispatchers and its request API, without its index: the
 * index also loads fetch, WebSocket, cookies, caches and mocks (~30 ms of
 * every pull's start-up here). These are the same classes, wired as the
 * index wires them (undici 7: `Object.assign(Dispatcher.prototype, api)`).
 */
import type * as Undici from "undici";
import api from "undici/lib/api/index.js";
import AgentImpl from "undici/lib/dispatcher/agent.js";
import DispatcherImpl from "undici/lib/dispatcher/dispatcher.js";
import EnvHttpProxyAgentImpl from "undici/lib/dispatcher/env-http-proxy-agent.js";

Object.assign((DispatcherImpl as { prototype: object }).prototype, api);

export const Agent = AgentImpl as unknown as typeof Undici.Agent;
export const EnvHttpProxyAgent = EnvHttpProxyAgentImpl as unknown as typeof Undici.EnvHttpProxyAgent;
export type { Dispatcher } from "undici";

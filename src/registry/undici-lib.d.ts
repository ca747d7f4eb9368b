// undici's internal modules (no types of their own); src/registry/undici.ts gives them the index's types.
declare module "undici/lib/dispatcher/dispatcher.js" {
  const value: unknown;
  export default value;
}
declare module "undici/lib/dispatcher/env-http-proxy-agent.js" {
  const value: unknown;
  export default value;
}
declare module "undici/lib/api/index.js" {
  const value: Record<string, unknown>;
  export default value;
}

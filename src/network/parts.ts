/** The network machinery the service loads on first use, as one module. */
export * from "./container.ts";
export * from "./filters.ts";
export * from "./inspect.ts";
export * from "./netavark.ts";
export * from "./pool.ts";
export * from "./registry.ts";

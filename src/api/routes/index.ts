/** Every route the service serves, in one table. */
import { Routes } from "../router.ts";
import { containerRoutes } from "./containers.ts";
import { execRoutes } from "./exec.ts";
import { imageRoutes } from "./images.ts";
import { streamRoutes } from "./streams.ts";
import { systemRoutes } from "./system.ts";

export function allRoutes(): Routes {
  const r = new Routes();
  systemRoutes(r);
  imageRoutes(r);
  containerRoutes(r);
  streamRoutes(r);
  execRoutes(r);
  return r;
}

/** Every route the service serves, in one table. */
import { Routes } from "../router.ts";
import { archiveRoutes } from "./archive.ts";
import { containerRoutes } from "./containers.ts";
import { execRoutes } from "./exec.ts";
import { imageRoutes } from "./images.ts";
import { networkRoutes } from "./networks.ts";
import { publishRoutes } from "./publish.ts";
import { statsRoutes } from "./stats.ts";
import { streamRoutes } from "./streams.ts";
import { systemRoutes } from "./system.ts";
import { volumeRoutes } from "./volumes.ts";

export function allRoutes(): Routes {
  const r = new Routes();
  systemRoutes(r);
  imageRoutes(r);
  containerRoutes(r);
  streamRoutes(r);
  execRoutes(r);
  volumeRoutes(r);
  networkRoutes(r);
  publishRoutes(r);
  archiveRoutes(r);
  statsRoutes(r);
  return r;
}

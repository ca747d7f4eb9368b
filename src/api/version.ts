/** The API version strata serves and the headers every answer carries (moby's versionMiddleware). */
import { API_VERSION, MIN_API_VERSION, STRATA_VERSION } from "../system/version.ts";

export { API_VERSION, MIN_API_VERSION };

export function serverHeaders(): Record<string, string> {
  return {
    "Api-Version": API_VERSION,
    "Docker-Experimental": "false",
    Ostype: "linux",
    Server: `Docker/${STRATA_VERSION} (linux)`,
  };
}

/**
 * What strata keeps of Docker's Config/HostConfig for a container, as a zod
 * schema: the containers store parses the stored JSON once, when it reads a
 * row, so the rest of the engine gets a typed ContainerConfig and never casts.
 * A field added later must have a `.default()` (or be optional) so records
 * written before it still parse.
 */
import { z } from "zod";

export const containerConfigSchema = z.object({
  Hostname: z.string(),
  User: z.string().default(""),
  Tty: z.boolean().default(false),
  OpenStdin: z.boolean().default(false),
  StdinOnce: z.boolean().default(false),
  Env: z.array(z.string()).default([]),
  Cmd: z.array(z.string()).nullable().default(null),
  Entrypoint: z.array(z.string()).nullable().default(null),
  WorkingDir: z.string().default(""),
  /** The image as the user named it. */
  Image: z.string(),
  Labels: z.record(z.string(), z.string()).default({}),
  NetworkMode: z.enum(["none", "host"]).default("none"),
  AutoRemove: z.boolean().default(false),
});

export type ContainerConfig = z.infer<typeof containerConfigSchema>;

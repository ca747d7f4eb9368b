/**
 * zod schemas for the documents strata reads: descriptors, image manifests,
 * indexes and image configs. Unknown fields are kept (`passthrough`) because
 * the raw documents are re-served by inspect and must not lose data; digests
 * are checked here once so the rest of the engine gets `Digest` values.
 */
import { z } from "zod";
import { type Digest, parseDigest } from "../digest/index.ts";

/** A digest string checked by src/digest (sha256 only, Docker's texts on failure). */
export const digestSchema = z.string().transform((s, ctx): Digest => {
  try {
    return parseDigest(s);
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: err instanceof Error ? err.message : String(err) });
    return z.NEVER;
  }
});

/** The platform object inside an index entry (image-spec `image-index.md`). */
export const platformSpecSchema = z
  .object({
    architecture: z.string(),
    os: z.string(),
    "os.version": z.string().optional(),
    "os.features": z.array(z.string()).optional(),
    variant: z.string().optional(),
    features: z.array(z.string()).optional(),
  })
  .passthrough();

export const descriptorSchema = z
  .object({
    mediaType: z.string(),
    digest: digestSchema,
    size: z.number().int().nonnegative().safe(),
    urls: z.array(z.string()).optional(),
    annotations: z.record(z.string()).optional(),
    data: z.string().optional(),
    artifactType: z.string().optional(),
    platform: platformSpecSchema.optional(),
  })
  .passthrough();

export const imageManifestSchema = z
  .object({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    artifactType: z.string().optional(),
    config: descriptorSchema,
    layers: z.array(descriptorSchema),
    subject: descriptorSchema.optional(),
    annotations: z.record(z.string()).optional(),
  })
  .passthrough();

export const imageIndexSchema = z
  .object({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    artifactType: z.string().optional(),
    manifests: z.array(descriptorSchema),
    subject: descriptorSchema.optional(),
    annotations: z.record(z.string()).optional(),
  })
  .passthrough();

// Docker writes null for unset lists and maps ("Entrypoint": null), so every
// field of the runtime config accepts null.
const nullableStrings = z.array(z.string()).nullable().optional();
const emptyObjectMap = z.record(z.object({}).passthrough()).nullable().optional();

export const containerConfigSchema = z
  .object({
    User: z.string().nullable().optional(),
    ExposedPorts: emptyObjectMap,
    Env: nullableStrings,
    Entrypoint: nullableStrings,
    Cmd: nullableStrings,
    Volumes: emptyObjectMap,
    WorkingDir: z.string().nullable().optional(),
    Labels: z.record(z.string()).nullable().optional(),
    StopSignal: z.string().nullable().optional(),
    ArgsEscaped: z.boolean().nullable().optional(),
    Healthcheck: z.object({}).passthrough().nullable().optional(),
    OnBuild: nullableStrings,
    Shell: nullableStrings,
  })
  .passthrough();

export const historySchema = z
  .object({
    created: z.string().optional(),
    created_by: z.string().optional(),
    author: z.string().optional(),
    comment: z.string().optional(),
    empty_layer: z.boolean().optional(),
  })
  .passthrough();

export const imageConfigSchema = z
  .object({
    created: z.string().optional(),
    author: z.string().optional(),
    architecture: z.string(),
    os: z.string(),
    "os.version": z.string().optional(),
    "os.features": z.array(z.string()).optional(),
    variant: z.string().optional(),
    config: containerConfigSchema.nullable().optional(),
    rootfs: z.object({ type: z.literal("layers"), diff_ids: z.array(digestSchema) }).passthrough(),
    history: z.array(historySchema).optional(),
  })
  .passthrough();

export type PlatformSpec = z.infer<typeof platformSpecSchema>;
export type Descriptor = z.infer<typeof descriptorSchema>;
export type ImageManifest = z.infer<typeof imageManifestSchema>;
export type ImageIndex = z.infer<typeof imageIndexSchema>;
export type ContainerConfig = z.infer<typeof containerConfigSchema>;
export type HistoryEntry = z.infer<typeof historySchema>;
export type ImageConfig = z.infer<typeof imageConfigSchema>;

export type { BlobDescriptor, BlobStream, FetchBlobOptions, OpenBlobOptions } from "./blobs.ts";
export { type CallOptions, type RefLike, RegistryClient, type RegistryClientOptions } from "./client.ts";
export { type Credentials, DOCKER_HUB_AUTH_KEY, defaultDockerConfigPath } from "./credentials.ts";
export { type Endpoint, resolveEndpoint } from "./endpoint.ts";
export type { GetManifestOptions, ManifestResult, PushManifestOptions } from "./manifests.ts";
export type { ResolvedImage, ResolveOptions } from "./resolve.ts";
export type { BlobData, PushBlobOptions, PushBlobResult } from "./upload.ts";
export { openUrl } from "./url.ts";

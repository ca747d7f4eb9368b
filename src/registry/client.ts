/**
 * The Distribution v2 client strata pulls and pushes with. One instance
 * holds one connection pool, the registries' auth challenges and a token
 * cache; it is safe to share between concurrent pulls.
 */
import type { Readable } from "node:stream";
import type { Digest } from "../digest/index.ts";
import { parseReference, type Reference } from "../reference/index.ts";
import { Authenticator } from "./auth.ts";
import {
  type BlobDescriptor,
  type BlobStream,
  blobExists,
  type FetchBlobOptions,
  fetchBlob,
  type OpenBlobOptions,
  openBlob,
} from "./blobs.ts";
import { CredentialStore, defaultDockerConfigPath } from "./credentials.ts";
import {
  type GetManifestOptions,
  getManifest,
  type ManifestResult,
  type PushManifestOptions,
  pushManifest,
} from "./manifests.ts";
import type { ResolvedImage, ResolveOptions } from "./resolve.ts";
import { Session } from "./session.ts";
import { Transport } from "./transport.ts";
import {
  type BlobData,
  type MountResult,
  mountBlob,
  type PushBlobOptions,
  type PushBlobResult,
  pushBlob,
  type StreamUploadOptions,
  uploadStream,
} from "./upload.ts";

export interface RegistryClientOptions {
  /** Docker's client config with `auths` (default `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`). */
  dockerConfigPath?: string;
  /** Registries (`host[:port]`, hostnames or IPv4 CIDRs) spoken to over plain HTTP, besides loopback. */
  insecureRegistries?: string[];
  /** Attempts per request for temporary failures (default 5). */
  maxAttempts?: number;
  /** First retry delay in ms, doubled per attempt (default 250, as Docker). */
  retryDelayMs?: number;
  userAgent?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** A reference object or a string, parsed as `docker pull` would (default tag `latest`). */
export type RefLike = Reference | string;

function toRef(ref: RefLike): Reference {
  return typeof ref === "string" ? parseReference(ref) : ref;
}

export class RegistryClient {
  private readonly session: Session;

  constructor(opts: RegistryClientOptions = {}) {
    const transport = new Transport({
      maxAttempts: opts.maxAttempts,
      retryDelayMs: opts.retryDelayMs,
      userAgent: opts.userAgent,
    });
    const credentials = new CredentialStore(opts.dockerConfigPath ?? defaultDockerConfigPath());
    this.session = new Session(
      transport,
      new Authenticator(transport, credentials),
      opts.insecureRegistries ?? [],
    );
  }

  /** The manifest (or index) a tag or digest names, raw; by digest the bytes are verified. */
  getManifest(ref: RefLike, opts: GetManifestOptions = {}): Promise<ManifestResult> {
    return getManifest(this.session, toRef(ref), opts);
  }

  /** The image manifest and verified config for a platform (default: the host's), through an index if need be. */
  async resolveImage(ref: RefLike, opts: ResolveOptions = {}): Promise<ResolvedImage> {
    // Loaded on first use: it brings the manifest schemas (zod), which a push never needs.
    const { resolveImage } = await import("./resolve.ts");
    return resolveImage(this.session, toRef(ref), opts);
  }

  /** A blob as a stream, not verified: the caller hashes it. `offset` resumes with a Range request. */
  openBlob(ref: RefLike, desc: BlobDescriptor, opts: OpenBlobOptions = {}): Promise<BlobStream> {
    return openBlob(this.session, toRef(ref), desc, opts);
  }

  /** A small blob (a config) in memory, its size and digest verified. */
  fetchBlob(ref: RefLike, desc: BlobDescriptor, opts: FetchBlobOptions = {}): Promise<Buffer> {
    return fetchBlob(this.session, toRef(ref), desc, opts);
  }

  blobExists(ref: RefLike, digest: Digest, opts: CallOptions = {}): Promise<boolean> {
    return blobExists(this.session, toRef(ref), digest, opts);
  }

  /** Uploads a blob unless the repository has it; `data` is bytes or a function opening a fresh stream. */
  pushBlob(
    ref: RefLike,
    digest: Digest,
    data: BlobData,
    size: number,
    opts: PushBlobOptions = {},
  ): Promise<PushBlobResult> {
    return pushBlob(this.session, toRef(ref), digest, data, size, opts);
  }

  /**
   * Pings the registry (`GET /v2/`, as Docker does before a push), so an
   * unreachable registry fails before any work starts.
   */
  async ping(ref: RefLike, opts: CallOptions = {}): Promise<void> {
    const r = toRef(ref);
    await this.session.auth.ping(this.session.endpoint(r), opts.signal);
  }

  /** Links a blob from another repository of the same registry, or opens an upload if it cannot. */
  mountBlob(ref: RefLike, digest: Digest, from: RefLike, opts: CallOptions = {}): Promise<MountResult> {
    return mountBlob(this.session, toRef(ref), digest, toRef(from), opts.signal);
  }

  /** Streams a blob of unknown digest into the repository (one PATCH, then `PUT ?digest=`). */
  uploadStream(
    ref: RefLike,
    open: () => Readable | Promise<Readable>,
    opts: StreamUploadOptions = {},
  ): Promise<{ digest: Digest; size: number }> {
    return uploadStream(this.session, toRef(ref), open, opts);
  }

  /** PUTs a manifest under the reference's tag, or its digest; returns the manifest's digest. */
  pushManifest(
    ref: RefLike,
    bytes: Buffer,
    mediaType: string,
    opts: PushManifestOptions = {},
  ): Promise<Digest> {
    return pushManifest(this.session, toRef(ref), bytes, mediaType, opts);
  }

  /** Closes pooled connections. Optional: idle sockets do not keep the process alive. */
  close(): Promise<void> {
    return this.session.transport.close();
  }
}

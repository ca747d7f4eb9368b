import { StrataError } from "../errors.ts";
import { layerCompression } from "../oci/index.ts";
import type { Compression } from "./decompress.ts";

export { type ApplyOptions, type ApplyResult, applyLayer, cleanName } from "./apply.ts";
export { type Compressed, gzipStream } from "./compress.ts";
export type { Compression } from "./decompress.ts";
export { tarUpperDir, type UpperTarOptions, upperTarChunks, writeUpperTar } from "./diff.ts";
export { emitLayer } from "./emit.ts";
export { followSymlinkInScope, openRegular, readRegular, streamRegular } from "./scope.ts";
export { sniffCompression } from "./sniff.ts";
export { emittedSize, TarSplitWriter } from "./tar-split.ts";
export { TAR_END, type TarEntry, type TarType, tarEntryHeader, tarHeader, tarPadding } from "./tar-writer.ts";

/** How a layer blob of this media type is compressed (Docker and OCI types). */
export function compressionFromMediaType(mediaType: string): Compression {
  const c = layerCompression(mediaType);
  if (!c) throw new StrataError("UNSUPPORTED_MEDIA_TYPE", `unsupported layer media type ${mediaType}`);
  return c;
}

/**
 * Test images, built here and pushed with strata's own RegistryClient (see
 * the fixtures-*.ts files for each kind).
 */
export { buildBusyboxBase, busyboxBaseTar } from "./fixtures-busybox.ts";
export {
  compress,
  type LayerSpec,
  type PushedImage,
  type PushImageOptions,
  pushImage,
  tarDirectory,
  writeTree,
} from "./fixtures-image.ts";
export {
  MULTI_PLATFORMS,
  type PushedIndex,
  type PushedPlatformImage,
  pushMultiPlatform,
} from "./fixtures-multi.ts";
export { pushServidorweb, SERVIDORWEB_CMD, SERVIDORWEB_INDEX } from "./fixtures-servidorweb.ts";

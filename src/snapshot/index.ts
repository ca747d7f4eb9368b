export { LayerStore, newLinkId, type StagedLayer } from "./layers.ts";
export {
  type ContainerLayer,
  containerLayer,
  containerMount,
  directorySize,
  type Mount,
  mount,
  prepareContainerLayer,
  removeContainerLayer,
  unmount,
} from "./overlay.ts";

export { LayerStore, newLinkId, type StagedLayer } from "./layers.ts";

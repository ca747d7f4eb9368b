/**
 * `image tree`: the store as a tree of layers. Layers are keyed by chain ID, so
 * two images that start with the same layers share a path from the root; each
 * image hangs off its top layer and each container off its image. Every byte
 * is counted once, at the layer that holds it.
 */
import type { Digest } from "../digest/index.ts";
import type { ImageRecord, LayerRecord } from "../metadata/index.ts";

export interface TreeContainer {
  id: string;
  name: string;
  state: string;
  /** Bytes in the container's writable layer. */
  sizeRw: number;
}

export interface TreeImage {
  id: Digest;
  /** Familiar names (`servidorweb:v1`); empty for an untagged image. */
  names: string[];
  /** The image's virtual size: every layer of its chain. */
  size: number;
  /** What removing the image (all its names) would free: the layers no other image uses. */
  frees: number;
  containers: TreeContainer[];
}

export interface TreeLayer {
  chainId: Digest;
  diffId: Digest;
  /** The layer's own bytes. */
  size: number;
  /** How many images (of the whole store) stand on this layer. */
  images: number;
  children: TreeLayer[];
  /** Images whose top layer this is. */
  tops: TreeImage[];
}

export interface ImageTree {
  /** Base layers: one trunk per distinct bottom layer. */
  roots: TreeLayer[];
  /** Images without layers (`FROM scratch` with no files). */
  empty: TreeImage[];
  /** Σ of every layer shown, each counted once. */
  totalSize: number;
  /** Σ of the images' virtual sizes: what the same images would take without sharing. */
  virtualSize: number;
}

export interface TreeInput {
  images: ImageRecord[];
  layers: Map<string, Pick<LayerRecord, "diffId" | "size">>;
  names: Map<string, string[]>;
  containers: Map<string, TreeContainer[]>;
  /** Only these images (all when undefined); sharing and `frees` still count every image. */
  only?: Set<string>;
}

export function buildTree(input: TreeInput): ImageTree {
  const users = new Map<string, number>();
  for (const image of input.images) for (const c of image.chain) users.set(c, (users.get(c) ?? 0) + 1);

  const nodes = new Map<string, TreeLayer>();
  const roots: TreeLayer[] = [];
  const empty: TreeImage[] = [];
  let virtualSize = 0;
  const shown = input.images.filter((i) => !input.only || input.only.has(i.id));
  for (const image of shown) {
    const leaf = treeImage(image, input, users);
    virtualSize += leaf.size;
    let parent: TreeLayer | undefined;
    for (const chainId of image.chain) parent = layerNode(chainId, parent, input, users, nodes, roots);
    (parent ? parent.tops : empty).push(leaf);
  }
  let totalSize = 0;
  for (const node of nodes.values()) totalSize += node.size;
  for (const node of nodes.values()) sortNode(node);
  roots.sort(byChainId);
  return { roots, empty, totalSize, virtualSize };
}

function layerNode(
  chainId: Digest,
  parent: TreeLayer | undefined,
  input: TreeInput,
  users: Map<string, number>,
  nodes: Map<string, TreeLayer>,
  roots: TreeLayer[],
): TreeLayer {
  const known = nodes.get(chainId);
  if (known) return known;
  const record = input.layers.get(chainId);
  const node: TreeLayer = {
    chainId,
    diffId: record?.diffId ?? chainId,
    size: record?.size ?? 0,
    images: users.get(chainId) ?? 0,
    children: [],
    tops: [],
  };
  nodes.set(chainId, node);
  (parent ? parent.children : roots).push(node);
  return node;
}

function treeImage(image: ImageRecord, input: TreeInput, users: Map<string, number>): TreeImage {
  let size = 0;
  let frees = 0;
  for (const chainId of image.chain) {
    const bytes = input.layers.get(chainId)?.size ?? 0;
    size += bytes;
    if (users.get(chainId) === 1) frees += bytes;
  }
  return {
    id: image.id,
    names: input.names.get(image.id) ?? [],
    size,
    frees,
    containers: input.containers.get(image.id) ?? [],
  };
}

const byChainId = (a: TreeLayer, b: TreeLayer) =>
  a.chainId < b.chainId ? -1 : a.chainId > b.chainId ? 1 : 0;

/** Stable output: children by chain ID, images by first name. */
function sortNode(node: TreeLayer): void {
  node.children.sort(byChainId);
  const key = (i: TreeImage) => i.names[0] ?? i.id;
  node.tops.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

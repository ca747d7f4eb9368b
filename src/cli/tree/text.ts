/**
 * `image tree` on a terminal: one line per layer, image and container, drawn
 * with box characters as `tree(1)` draws directories. Layers are named by
 * their diff ID's first 12 hex, as Docker's push names them.
 */
import { humanSize } from "../../format/index.ts";
import type { ImageTree, TreeImage, TreeLayer } from "../../system/index.ts";

const short = (digest: string) => digest.replace(/^sha256:/, "").slice(0, 12);

export function imageLabel(image: TreeImage): string {
  return image.names.length > 0 ? image.names.join(", ") : "<none>:<none>";
}

function layerLine(layer: TreeLayer): string {
  const shared = layer.images > 1 ? `, shared by ${layer.images} images` : "";
  return `${short(layer.diffId)}  ${humanSize(layer.size)}${shared}`;
}

function imageLines(image: TreeImage, prefix: string, last: boolean, out: string[]): void {
  out.push(
    `${prefix}${last ? "└─ " : "├─ "}${imageLabel(image)} (${short(image.id)})  ${humanSize(image.size)}, removing it frees ${humanSize(image.frees)}`,
  );
  const inner = prefix + (last ? "   " : "│  ");
  image.containers.forEach((c, i) => {
    const end = i === image.containers.length - 1;
    out.push(
      `${inner}${end ? "└─ " : "├─ "}container ${c.name} (${c.id.slice(0, 12)}) ${c.state}, ${humanSize(c.sizeRw)}`,
    );
  });
}

function layerLines(layer: TreeLayer, prefix: string, branch: string, out: string[]): void {
  out.push(`${prefix}${branch}${layerLine(layer)}`);
  const inner = prefix + (branch === "├─ " ? "│  " : branch === "" ? "" : "   ");
  const count = layer.tops.length + layer.children.length;
  let i = 0;
  for (const image of layer.tops) imageLines(image, inner, ++i === count, out);
  for (const child of layer.children) layerLines(child, inner, ++i === count ? "└─ " : "├─ ", out);
}

export function renderTreeText(tree: ImageTree): string {
  const images = countImages(tree);
  const out: string[] = [
    `${images} image${images === 1 ? "" : "s"}, ${humanSize(tree.totalSize)} on disk (${humanSize(tree.virtualSize)} if nothing were shared)`,
  ];
  for (const root of tree.roots) layerLines(root, "", "", out);
  for (const image of tree.empty) imageLines(image, "", true, out);
  return `${out.join("\n")}\n`;
}

export function countImages(tree: ImageTree): number {
  let n = tree.empty.length;
  const walk = (l: TreeLayer) => {
    n += l.tops.length;
    l.children.forEach(walk);
  };
  tree.roots.forEach(walk);
  return n;
}

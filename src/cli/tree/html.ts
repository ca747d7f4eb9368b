/**
 * `image tree --format html`: one self-contained page (no script, font or
 * request from outside) drawing the tree as an icicle chart. Each layer is a
 * box as wide as the number of images standing on it, so a shared trunk spans
 * every image that shares it; its colour darkens with its size (log scale),
 * and every box states its own bytes.
 */
import { humanSize } from "../../format/index.ts";
import type { ImageTree, TreeImage, TreeLayer } from "../../system/index.ts";
import { countImages, imageLabel } from "./text.ts";

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
const short = (digest: string) => digest.replace(/^sha256:/, "").slice(0, 12);

/** Leaf slots under a node: one per image shown (at least one, so every box has width). */
function slots(layer: TreeLayer): number {
  return Math.max(1, layer.tops.length + layer.children.reduce((n, c) => n + slots(c), 0));
}

/** 0 for an empty layer up to 1 for the largest, on a log scale (22B and 80MB both stay visible). */
function shade(size: number, max: number): number {
  return max <= 1 ? 0 : Math.log1p(size) / Math.log1p(max);
}

function imageBox(image: TreeImage): string {
  const containers = image.containers
    .map(
      (c) =>
        `<div class="box container" data-container="${escapeHtml(c.id)}" title="${escapeHtml(c.id)}">` +
        `<b>${escapeHtml(c.name)}</b><span>${escapeHtml(c.state)} · ${humanSize(c.sizeRw)}</span></div>`,
    )
    .join("");
  return (
    `<div class="node" style="flex-grow:1"><div class="box image" data-image="${escapeHtml(image.id)}" title="${escapeHtml(image.id)}">` +
    `<b>${escapeHtml(imageLabel(image))}</b><span>${short(image.id)} · ${humanSize(image.size)}</span>` +
    `<span>removing it frees ${humanSize(image.frees)}</span></div>` +
    (containers ? `<div class="kids">${containers}</div>` : "") +
    "</div>"
  );
}

function layerBox(layer: TreeLayer, max: number): string {
  const light = Math.round(92 - 50 * shade(layer.size, max));
  const shared = layer.images > 1 ? ` · shared by ${layer.images} images` : "";
  const kids = [...layer.tops.map(imageBox), ...layer.children.map((c) => layerBox(c, max))].join("");
  return (
    `<div class="node" style="flex-grow:${slots(layer)}">` +
    `<div class="box layer" data-layer="${escapeHtml(layer.diffId)}" title="chain ${escapeHtml(layer.chainId)}" ` +
    `style="background:hsl(210 60% ${light}%);color:${light < 60 ? "#fff" : "#123"}">` +
    `<b>${short(layer.diffId)}</b><span>${humanSize(layer.size)}${shared}</span></div>` +
    (kids ? `<div class="kids">${kids}</div>` : "") +
    "</div>"
  );
}

const STYLE = `
body{font:14px/1.3 system-ui,sans-serif;margin:24px;color:#123}
h1{font-size:20px;margin:0 0 4px}p{margin:0 0 16px;color:#456}
.chart{display:flex;gap:4px;align-items:flex-start}
.node{display:flex;flex-direction:column;flex-basis:0;min-width:120px;gap:4px}
.kids{display:flex;gap:4px}
.box{border-radius:4px;padding:6px 8px;display:flex;flex-direction:column;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.box span{font-size:12px;opacity:.85}
.image{background:#f6c453}.container{background:#9bd49b}
.legend{display:flex;gap:16px;margin-top:20px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
`;

export function renderTreeHtml(tree: ImageTree): string {
  const max = Math.max(0, ...allLayers(tree).map((l) => l.size));
  const images = countImages(tree);
  const chart = [...tree.roots.map((r) => layerBox(r, max)), ...tree.empty.map(imageBox)].join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>strata image tree</title>
<style>${STYLE}</style></head><body>
<h1>What shares what</h1>
<p>${images} image${images === 1 ? "" : "s"} · ${humanSize(tree.totalSize)} on disk, each layer counted once · ${humanSize(tree.virtualSize)} if nothing were shared</p>
<div class="chart">${chart}</div>
<div class="legend"><span><i style="background:hsl(210 60% 50%)"></i>layer (darker = larger; width = images on it)</span>
<span><i style="background:#f6c453"></i>image</span><span><i style="background:#9bd49b"></i>container</span></div>
</body></html>
`;
}

function allLayers(tree: ImageTree): TreeLayer[] {
  const out: TreeLayer[] = [];
  const walk = (l: TreeLayer) => {
    out.push(l);
    l.children.forEach(walk);
  };
  tree.roots.forEach(walk);
  return out;
}

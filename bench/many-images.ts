/**
 * A Docker-format archive (manifest.json + configs + layer tars) of `images`
 * images sharing one base layer, each with `layers` small layers of its own:
 * made once and cached, loaded by the listing benchmarks into every engine.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cachePath } from "./images.ts";

function tarOf(dir: string): Buffer {
  return execFileSync("tar", ["-C", dir, "--sort=name", "--mtime=@0", "--numeric-owner", "-cf", "-", "."], {
    maxBuffer: 1 << 28,
  });
}

export function manyImagesArchive(images: number, perImage: number): string {
  const out = cachePath(`list-${images}x${perImage}`);
  const archive = `${out}.tar`;
  if (existsSync(archive)) return archive;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
  const write = (b: Buffer) => {
    const hex = sha(b);
    writeFileSync(join(out, `${hex}.tar`), b);
    return hex;
  };
  const scratch = join(out, ".scratch");
  const layerOf = (files: Record<string, string>) => {
    rmSync(scratch, { recursive: true, force: true });
    for (const [name, body] of Object.entries(files)) {
      mkdirSync(join(scratch, name, ".."), { recursive: true });
      writeFileSync(join(scratch, name), body);
    }
    return write(tarOf(scratch));
  };
  const base = layerOf(
    Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`base/f${i}`, "x".repeat(1000)])),
  );
  const manifest = [];
  for (let i = 0; i < images; i++) {
    const layers = [base];
    for (let j = 0; j < perImage; j++)
      layers.push(layerOf({ [`app/${i}/${j}.txt`]: `image ${i} layer ${j}\n` }));
    const config = Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        created: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
        config: { Cmd: ["/bin/sh"] },
        rootfs: { type: "layers", diff_ids: layers.map((h) => `sha256:${h}`) },
      }),
    );
    const chex = sha(config);
    writeFileSync(join(out, `${chex}.json`), config);
    manifest.push({
      Config: `${chex}.json`,
      RepoTags: [`bench/app${i}:v1`],
      Layers: layers.map((h) => `${h}.tar`),
    });
  }
  rmSync(scratch, { recursive: true, force: true });
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest));
  execFileSync("tar", ["-C", out, "-cf", archive, "."]);
  return archive;
}

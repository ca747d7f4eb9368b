import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  ellipsis,
  goQuote,
  humanDuration,
  humanSize,
  humanSizeWithPrecision,
  parseFormat,
  renderTable,
} from "../../src/format/index.ts";
import { formatG, formatGExact } from "../../src/format/size.ts";

/** A reference output's body: without its `$ command` line and `[exit N]` line. */
function reference(name: string): string {
  const text = readFileSync(new URL(`../../../shared/reference/outputs/${name}`, import.meta.url), "utf8");
  const lines = text.split("\n");
  return `${lines
    .slice(
      1,
      lines.findIndex((l) => l.startsWith("[exit ")),
    )
    .join("\n")}\n`;
}

test("go-units sizes, Go's %g rounding included", () => {
  assert.equal(humanSizeWithPrecision(76803871, 3), "76.8MB");
  assert.equal(humanSize(76803871), "76.8MB");
  assert.equal(humanSize(186_800_000), "186.8MB");
  assert.equal(humanSizeWithPrecision(1125, 3), "1.12kB", "ties go to even");
  assert.equal(humanSizeWithPrecision(999_500, 3), "1e+03kB");
  assert.equal(humanSize(999_950), "1000kB");
  assert.equal(humanSizeWithPrecision(5, 3), "5B");
  assert.equal(humanSizeWithPrecision(1_048_576, 3), "1.05MB");
  assert.equal(humanSize(0), "0B");
});

test("formatG's integer path and cache agree with the exact expansion, asked twice", () => {
  const values = [0, 1, 7, 99, 100, 999, 1000, 9999, 10_000, 123_456, 0.5, 1.125, 2.5, 999.5, 76.803871];
  for (let i = 0; i < 300; i++) values.push(Math.floor(Math.random() * 2_000_000), Math.random() * 1000);
  for (const p of [3, 4])
    for (const x of values)
      for (let again = 0; again < 2; again++) assert.equal(formatG(x, p), formatGExact(x, p), `${x} at ${p}`);
});

test("HumanDuration thresholds", () => {
  assert.equal(humanDuration(999), "Less than a second");
  assert.equal(humanDuration(1000), "1 second");
  assert.equal(humanDuration(25_000), "25 seconds");
  assert.equal(humanDuration(60_000), "About a minute");
  assert.equal(humanDuration(20 * 60_000), "20 minutes");
  assert.equal(humanDuration(90 * 60_000), "2 hours");
  assert.equal(humanDuration(3 * 86_400_000), "3 days");
  assert.equal(humanDuration(15 * 86_400_000), "2 weeks");
});

test("tables match Docker's output byte for byte", () => {
  const images = renderTable([
    ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"],
    ["127.0.0.1:5000/servidorweb", "v2", "0da8db7b26c4", "20 minutes ago", "76.8MB"],
    ["127.0.0.1:5000/servidorweb", "v1", "bd0c951e43cb", "20 minutes ago", "76.8MB"],
  ]);
  assert.equal(images, reference("docker-05-images.txt"));
  const cmd = goQuote(ellipsis("/usr/sbin/httpd -f -v -p 80 -c /etc/httpd.conf", 20));
  assert.equal(cmd, '"/usr/sbin/httpd -f …"');
  const ps = renderTable([
    ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES", "SIZE"],
    [
      "7143eef87e32",
      "127.0.0.1:5000/servidorweb:v1",
      cmd,
      "1 second ago",
      "Up Less than a second",
      "",
      "web1",
      "0B (virtual 76.8MB)",
    ],
  ]);
  assert.equal(ps, reference("docker-14-ps-a-s-before.txt"));
});

test("Go templates as Docker's --format uses them", () => {
  const data = { Id: "sha256:x", RootFS: { Layers: ["a", "b"] }, Config: { Labels: { k: "v" } }, Size: 3 };
  const run = (f: string) => parseFormat(f).template.execute(data);
  assert.equal(run("{{.Id}}"), "sha256:x");
  assert.equal(run("{{json .RootFS.Layers}}"), '["a","b"]');
  assert.equal(run("{{range .RootFS.Layers}}{{println .}}{{end}}"), "a\nb\n");
  assert.equal(run('{{index .Config.Labels "k"}}'), "v");
  assert.equal(run("{{if eq .Size 3}}three{{else if gt .Size 3}}more{{else}}less{{end}}"), "three");
  assert.equal(run('{{len .RootFS.Layers}}-{{printf "%s!" .Id}}'), "2-sha256:x!");
  assert.equal(run("{{- .Id -}} {{/* comment */}}"), "sha256:x");
  assert.equal(run('{{join .RootFS.Layers ","}} {{.Id | upper}}'), "a,b SHA256:X");
  assert.equal(parseFormat("table {{.Id}}\\t{{.Size}}").table, true);
  assert.throws(() => parseFormat("{{.Id"), { code: "INVALID_TEMPLATE" });
  assert.throws(() => parseFormat("{{nope .Id}}").template.execute(data), { code: "INVALID_TEMPLATE" });
  assert.throws(
    () => parseFormat("{{.Nope}}").template.execute(data, { strict: true }),
    /can't evaluate field Nope/,
  );
});

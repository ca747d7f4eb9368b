/** servidorweb:v1 and :v2, the seed story's images. */
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sha256Digest } from "../../src/digest/index.ts";
import type { RegistryClient } from "../../src/registry/index.ts";
import { busyboxBaseTar } from "./fixtures-busybox.ts";
import { type PushedImage, pushImage, scratchDir, tarDirectory, writeTree } from "./fixtures-image.ts";

export const SERVIDORWEB_CMD = ["/bin/busybox", "httpd", "-f", "-v", "-p", "80", "-h", "/var/www/html"];
export const SERVIDORWEB_INDEX = {
  v1: "<h1>Servidor web</h1>\n",
  v2: "<h1>Servidor web v2</h1>\n",
};

const HTTPD_CONF = "# busybox httpd: serve /var/www/html\n.html:text/html\n.txt:text/plain\n";

/** The web server layer: /etc/httpd.conf and an empty /var/www/html. */
function webServerTar(): Buffer {
  const dir = scratchDir("strata-httpd-");
  try {
    writeTree(dir, { "etc/httpd.conf": HTTPD_CONF });
    mkdirSync(join(dir, "var", "www", "html"), { recursive: true });
    for (const d of ["etc", "var", "var/www", "var/www/html"]) chmodSync(join(dir, d), 0o755);
    return tarDirectory(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function indexTar(content: string): Buffer {
  const dir = scratchDir("strata-index-");
  try {
    writeTree(dir, { "var/www/html/index.html": content });
    for (const d of ["var", "var/www", "var/www/html"]) chmodSync(join(dir, d), 0o755);
    return tarDirectory(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Docker's classic-builder history line for `COPY dir:<hash> in /` (note the trailing space). */
function copyLine(tar: Buffer): string {
  return `/bin/sh -c #(nop) COPY dir:${sha256Digest(Buffer.concat([Buffer.from("dir:"), tar])).slice(7)} in / `;
}

const CREATED = {
  v1: [
    "2026-11-22T10:18:40.100000000Z",
    "2026-11-22T10:19:07.512345678Z",
    "2026-11-22T10:19:08.113238265Z",
    "2026-11-22T10:19:08.513238265Z",
    "2026-11-22T10:19:08.913238265Z",
  ],
  v2: [
    "2026-11-22T10:18:40.100000000Z",
    "2026-11-22T10:19:07.512345678Z",
    "2026-11-22T10:19:30.204812339Z",
    "2026-11-22T10:19:30.604812339Z",
    "2026-11-22T10:19:31.004812339Z",
  ],
};

/**
 * Pushes `<host>/servidorweb:v1` and `:v2` in the seed story's shape: a shared
 * busybox base, a shared web server layer, and a top layer holding only
 * /var/www/html/index.html (22 bytes in v1, 25 in v2).
 */
export async function pushServidorweb(
  client: RegistryClient,
  host: string,
): Promise<{ v1: PushedImage; v2: PushedImage }> {
  const base = busyboxBaseTar();
  const web = webServerTar();
  const push = (version: "v1" | "v2") => {
    const top = indexTar(SERVIDORWEB_INDEX[version]);
    const created = CREATED[version];
    const cmdLine = `/bin/sh -c #(nop)  CMD [${SERVIDORWEB_CMD.map((a) => JSON.stringify(a)).join(" ")}]`;
    return pushImage(client, `${host}/servidorweb:${version}`, {
      layers: [{ tar: base }, { tar: web }, { tar: top }],
      config: {
        created: created[4],
        config: {
          Hostname: "",
          Domainname: "",
          User: "",
          AttachStdin: false,
          AttachStdout: false,
          AttachStderr: false,
          ExposedPorts: { "80/tcp": {} },
          Tty: false,
          OpenStdin: false,
          StdinOnce: false,
          Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
          Cmd: SERVIDORWEB_CMD,
          Image: "",
          Volumes: null,
          WorkingDir: "",
          Entrypoint: null,
          OnBuild: null,
          Labels: null,
        },
      },
      history: [
        { created: created[0], created_by: "", comment: "busybox-static base (strata test fixture)" },
        { created: created[1], created_by: copyLine(web) },
        { created: created[2], created_by: copyLine(top) },
        { created: created[3], created_by: "/bin/sh -c #(nop)  EXPOSE 80", empty_layer: true },
        { created: created[4], created_by: cmdLine, empty_layer: true },
      ],
    });
  };
  const v1 = await push("v1");
  const v2 = await push("v2");
  return { v1, v2 };
}

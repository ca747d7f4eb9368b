// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile variables are the subject here
/**
 * Each Dockerfile instruction, .dockerignore rule and COPY/ADD rule, built for
 * real and checked against what Docker (BuildKit) produces for the same file:
 * the image config, the files in the image, and what RUN saw.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RegistryClient } from "../../src/registry/index.ts";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar, pushImage, writeTree } from "../support/fixtures.ts";
import { startRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

let registry: Awaited<ReturnType<typeof startRegistry>>;
let base: string;
const root = tempDir();

before(async () => {
  registry = await startRegistry();
  base = `${registry.host}/busybox:latest`;
  await pushImage(new RegistryClient(), base, { layers: [{ tar: busyboxBaseTar() }] });
});
after(() => registry?.stop());

async function buildDir(files: Record<string, string>, tag: string, extra: string[] = []): Promise<string> {
  const dir = tempDir();
  writeTree(dir, files);
  const r = await strata(root, ["build", "--progress=plain", "-t", tag, ...extra, dir]);
  assert.equal(r.code, 0, r.stderr);
  return r.stderr;
}

async function sh(image: string, script: string): Promise<string> {
  const r = await strata(root, ["run", "--rm", "--entrypoint", "", image, "sh", "-c", script]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

async function config(image: string): Promise<Record<string, unknown>> {
  const r = await strata(root, ["inspect", "--format", "{{json .Config}}", image]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test("config instructions: ENV, LABEL, USER, WORKDIR, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ENTRYPOINT, CMD", async () => {
  await buildDir(
    {
      Dockerfile: [
        `FROM ${base}`,
        'ENV A=1 B="two words"',
        "ENV C ${A}-${B:+set}",
        'LABEL org.x.name="web" version=${A}',
        "WORKDIR app",
        "WORKDIR sub",
        "RUN pwd > /pwd && echo $C > /c",
        "USER nobody",
        "RUN id -u > /tmp/uid",
        "USER root",
        'SHELL ["/bin/sh", "-c"]',
        "EXPOSE 80 443/udp 8000-8001",
        "VOLUME /data",
        'VOLUME ["/logs"]',
        "STOPSIGNAL SIGQUIT",
        "HEALTHCHECK --interval=5s --retries=3 CMD wget -q -O- localhost || exit 1",
        "ENTRYPOINT echo hi",
        "CMD other",
        "",
      ].join("\n"),
    },
    "cfg:t",
  );
  const c = await config("cfg:t");
  assert.deepEqual(c.Env, [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "A=1",
    "B=two words",
    "C=1-set",
  ]);
  assert.deepEqual(c.Labels, { "org.x.name": "web", version: "1" });
  assert.equal(c.WorkingDir, "/app/sub");
  assert.equal(c.User, "root");
  assert.deepEqual(c.ExposedPorts, { "80/tcp": {}, "443/udp": {}, "8000/tcp": {}, "8001/tcp": {} });
  assert.deepEqual(c.Volumes, { "/data": {}, "/logs": {} });
  assert.equal(c.StopSignal, "SIGQUIT");
  assert.deepEqual(c.Healthcheck, {
    Test: ["CMD-SHELL", "wget -q -O- localhost || exit 1"],
    Interval: 5_000_000_000,
    Retries: 3,
  });
  assert.deepEqual(c.Entrypoint, ["/bin/sh", "-c", "echo hi"]);
  assert.deepEqual(c.Cmd, ["/bin/sh", "-c", "other"]);
  assert.equal(await sh("cfg:t", "cat /pwd /c /tmp/uid"), "/app/sub\n1-set\n65534\n");
  const h = await strata(root, ["history", "--no-trunc", "--format", "{{.CreatedBy}}", "cfg:t"]);
  const lines = h.stdout.split("\n");
  assert.ok(lines.includes('ENTRYPOINT ["/bin/sh" "-c" "echo hi"]'), h.stdout);
  assert.ok(lines.includes("EXPOSE map[443/udp:{} 80/tcp:{} 8000/tcp:{} 8001/tcp:{}]"), h.stdout);
  assert.ok(lines.includes("ENV C=1-set"), h.stdout);
  assert.ok(
    lines.includes('HEALTHCHECK &{["CMD-SHELL" "wget -q -O- localhost || exit 1"] "5s" "0s" "0s" \'\\x03\'}'),
    h.stdout,
  );
  // ENTRYPOINT after CMD in the same stage keeps CMD; an ENTRYPOINT alone clears an inherited one.
  await buildDir({ Dockerfile: 'FROM cfg:t\nENTRYPOINT ["/bin/echo"]\n' }, "cfg:child");
  const child = await config("cfg:child");
  assert.deepEqual([child.Entrypoint, child.Cmd], [["/bin/echo"], null]);
});

test("ARG: defaults, --build-arg, scope per stage, meta args in FROM, proxies kept out of history", async () => {
  await buildDir(
    {
      Dockerfile: [
        "ARG TAG=latest",
        `FROM ${registry.host}/busybox:\${TAG}`,
        "ARG TAG",
        "ARG WHO=world",
        "ARG UNSET",
        'RUN echo "$TAG $WHO [$UNSET] $http_proxy" > /args',
        "",
      ].join("\n"),
    },
    "args:t",
    ["--build-arg", "WHO=strata", "--build-arg", "http_proxy=http://127.0.0.1:9"],
  );
  assert.equal(await sh("args:t", "cat /args"), "latest strata [] http://127.0.0.1:9\n");
  const c = await config("args:t");
  assert.deepEqual(
    c.Env,
    ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    "ARGs are not ENV",
  );
  const h = await strata(root, ["history", "--no-trunc", "--format", "{{.CreatedBy}}", "args:t"]);
  assert.match(
    h.stdout,
    /^RUN \|3 TAG=latest WHO=strata UNSET= \/bin\/sh -c echo "\$TAG \$WHO \[\$UNSET\] \$http_proxy" > \/args # buildkit$/m,
  );
  assert.doesNotMatch(h.stdout, /127\.0\.0\.1:9/);
});

test("COPY rules: directory contents, trailing slash, several sources, wildcards, --chown/--chmod, symlinks", async () => {
  const dir = tempDir();
  writeTree(dir, {
    Dockerfile: [
      `FROM ${base}`,
      "COPY dir /d1",
      "COPY one.txt /file-as-name",
      "COPY one.txt /into/",
      "COPY one.txt two.txt /several/",
      "COPY *.txt /glob/",
      "COPY --chown=nobody:nogroup --chmod=600 one.txt /owned",
      "COPY --chown=1234 one.txt /numeric",
      "COPY link /link-followed",
      "COPY dir/ /d2/",
      "WORKDIR /w",
      "COPY one.txt rel",
      "",
    ].join("\n"),
    "one.txt": "one\n",
    "two.txt": "two\n",
    "dir/a": "a\n",
    "dir/sub/b": "b\n",
  });
  symlinkSync("one.txt", join(dir, "link"));
  symlinkSync("../one.txt", join(dir, "dir", "inner-link"));
  const r = await strata(root, ["build", "-q", "-t", "copy:t", dir]);
  assert.equal(r.code, 0, r.stderr);
  const out = await sh(
    "copy:t",
    "cd / && ls d1 && cat d1/sub/b file-as-name into/one.txt several/two.txt && ls glob && stat -c '%u:%g %a' owned numeric && cat link-followed && readlink d1/inner-link && ls d2 && cat /w/rel",
  );
  assert.equal(
    out,
    "a\ninner-link\nsub\nb\none\none\ntwo\none.txt\ntwo.txt\n65534:65534 600\n1234:1234 644\none\n../one.txt\na\ninner-link\nsub\none\n",
  );
});

test(".dockerignore: Docker's patterns, ** and ! exceptions; an excluded file is not found", async () => {
  const dir = tempDir();
  writeTree(dir, {
    ".dockerignore": "# comment\n*.log\n**/*.tmp\nsecret/\n!secret/keep.txt\nbuild\n",
    Dockerfile: `FROM ${base}\nCOPY . /ctx/\n`,
    "a.log": "x",
    "deep/b.tmp": "x",
    "deep/c.txt": "c",
    "secret/key": "k",
    "secret/keep.txt": "keep",
    "build/out": "o",
    "sub/a.log": "kept: *.log is only the top level",
  });
  const r = await strata(root, ["build", "-q", "-t", "ign:t", dir]);
  assert.equal(r.code, 0, r.stderr);
  const files = await sh("ign:t", "cd /ctx && find . -type f | sort");
  assert.equal(files, "./.dockerignore\n./Dockerfile\n./deep/c.txt\n./secret/keep.txt\n./sub/a.log\n");
  writeTree(dir, { Dockerfile: `FROM ${base}\nCOPY a.log /\n` });
  const missing = await strata(root, ["build", "-q", dir]);
  assert.deepEqual(
    [missing.code, missing.stderr],
    [1, 'failed to compute cache key: "/a.log" not found: not found\n'],
  );
});

test("ADD: a local tar is unpacked, a URL is fetched (not unpacked)", async () => {
  const dir = tempDir();
  writeTree(dir, { "payload/inner.txt": "inside\n" });
  execFileSync("tar", ["-czf", join(dir, "p.tar.gz"), "-C", join(dir, "payload"), "."]);
  const server = createServer((_req, res) => {
    res.setHeader("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
    res.end("from the web\n");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    writeTree(dir, {
      Dockerfile: `FROM ${base}\nADD p.tar.gz /x/\nADD http://127.0.0.1:${port}/file.txt /web/\nADD p.tar.gz /y/`,
    });
    const r = await strata(root, ["build", "-q", "-t", "add:t", dir]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    server.close();
  }
  assert.equal(
    await sh("add:t", "cat /x/inner.txt /web/file.txt && stat -c %a /web/file.txt && ls /y"),
    "inside\nfrom the web\n600\ninner.txt\n",
  );
});

test("multi-stage: COPY --from a stage, scratch, unused stages skipped, --target, independent stages at once", async () => {
  const files = {
    Dockerfile: [
      `FROM ${base} AS builder`,
      "RUN echo built > /artifact",
      `FROM ${base} AS broken`,
      "RUN exit 1",
      `FROM ${base} AS other`,
      "RUN echo other > /other",
      "FROM scratch",
      "COPY --from=builder /artifact /artifact",
      "COPY --from=2 /other /other",
      `COPY --from=${base} /bin/busybox /bin/busybox`,
      "",
    ].join("\n"),
  };
  const stderr = await buildDir(files, "multi:t");
  assert.match(stderr, /\[builder 2\/2\] RUN echo built > \/artifact/);
  assert.doesNotMatch(stderr, /RUN exit 1/, "the unused stage is not built");
  const layers = (
    await strata(root, ["inspect", "--format", "{{len .RootFS.Layers}}", "multi:t"])
  ).stdout.trim();
  assert.equal(layers, "3");
  const run = await strata(root, ["run", "--rm", "multi:t", "/bin/busybox", "cat", "/artifact", "/other"]);
  assert.equal(run.stdout, "built\nother\n", run.stderr);
  const dir = tempDir();
  writeTree(dir, files);
  const target = await strata(root, ["build", "--progress=plain", "--target", "broken", dir]);
  assert.equal(target.code, 1);
  assert.match(target.stderr, /executor failed running \[\/bin\/sh -c exit 1\]: exit code: 1\n$/);
});

test("heredocs (Dockerfile 1.4): RUN scripts, shebang scripts and COPY files", async () => {
  await buildDir(
    {
      Dockerfile: [
        `FROM ${base}`,
        "ARG NAME=heredoc",
        "RUN <<EOF",
        "echo one > /h1",
        "echo $NAME >> /h1",
        "EOF",
        "RUN <<EOF",
        "#!/bin/sh",
        "echo shebang > /h2",
        "EOF",
        "COPY <<EOF /h3",
        "hello $NAME",
        "EOF",
        "COPY <<'EOF' /h4",
        "literal $NAME",
        "EOF",
        "",
      ].join("\n"),
    },
    "here:t",
  );
  assert.equal(
    await sh("here:t", "cat /h1 /h2 /h3 /h4"),
    "one\nheredoc\nshebang\nhello heredoc\nliteral $NAME\n",
  );
});

test("ONBUILD triggers are stored, then run in the child build and not inherited", async () => {
  await buildDir(
    { Dockerfile: `FROM ${base}\nONBUILD RUN echo triggered > /t\nONBUILD ENV FROM_TRIGGER=1\n` },
    "onbuild:base",
  );
  assert.deepEqual((await config("onbuild:base")).OnBuild, ["RUN echo triggered > /t", "ENV FROM_TRIGGER=1"]);
  await buildDir({ Dockerfile: "FROM onbuild:base\nRUN cat /t > /seen\n" }, "onbuild:child");
  assert.equal(await sh("onbuild:child", "cat /seen && echo $FROM_TRIGGER"), "triggered\n1\n");
  assert.equal((await config("onbuild:child")).OnBuild, null);
});

test("RUN --network none and build --network none cut the network; the default has an interface besides lo", async () => {
  const count = "grep -c : /proc/net/dev > /n";
  await buildDir({ Dockerfile: `FROM ${base}\nRUN --network=none ${count}\n` }, "net:none");
  assert.equal(await sh("net:none", "cat /n"), "1\n", "only lo");
  await buildDir({ Dockerfile: `FROM ${base}\nRUN ${count}\n` }, "net:flag", ["--network", "none"]);
  assert.equal(await sh("net:flag", "cat /n"), "1\n");
  await buildDir({ Dockerfile: `FROM ${base}\nRUN ${count} # default\n` }, "net:default");
  assert.notEqual(await sh("net:default", "cat /n"), "1\n");
});

test("SOURCE_DATE_EPOCH: two builds without cache give the same image ID", async () => {
  const files = { Dockerfile: `FROM ${base}\nRUN echo same > /same && touch /same\nCOPY f /f\n`, f: "f\n" };
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const dir = tempDir();
    writeTree(dir, files);
    const r = await strata(root, [
      "build",
      "-q",
      "--no-cache",
      "--build-arg",
      "SOURCE_DATE_EPOCH=1700000000",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    ids.push(r.stdout.trim());
  }
  assert.equal(ids[0], ids[1]);
  const created = (
    await strata(root, ["inspect", "--format", "{{.Created}}", ids[0] as string])
  ).stdout.trim();
  assert.equal(created, "2023-11-14T22:13:20Z");
});

test("system df counts the build cache, builder prune frees it, --iidfile and build - work", async () => {
  const iid = join(tempDir(), "iid");
  const r = await strata(root, ["build", "--iidfile", iid, "-q", "-"], {
    input: `FROM ${base}\nRUN echo x > /x\n`,
  });
  assert.equal(r.code, 0, r.stderr);
  const { readFileSync } = await import("node:fs");
  assert.equal(`${readFileSync(iid, "utf8")}\n`, r.stdout);
  const df = await strata(root, ["system", "df"]);
  const row = df.stdout.split("\n").find((l) => l.startsWith("Build Cache")) as string;
  assert.match(row, /^Build Cache +[1-9]\d* +0 +\d+(\.\d+)?[kM]?B +\d+(\.\d+)?[kM]?B$/);
  const prune = await strata(root, ["builder", "prune", "-a", "-f"]);
  assert.equal(prune.code, 0, prune.stderr);
  assert.match(
    prune.stdout,
    /^Deleted build cache objects:\n([0-9a-z]{25}\n)+\nTotal reclaimed space: .+B\n$/,
  );
  const after = await strata(root, ["system", "df"]);
  assert.match(after.stdout, /^Build Cache +0 +0 +0B +0B$/m);
  // The images built stay runnable: pruning the cache frees only what no image holds.
  assert.equal(await sh("copy:t", "cat /file-as-name"), "one\n");
});

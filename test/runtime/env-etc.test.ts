/** Docker's environment merge and the /etc files written for a container. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { containerResolvConf } from "../../src/runtime/etc.ts";
import { containerEnv, mergeEnv, replaceOrAppendEnv, writeEtcFiles } from "../../src/runtime/index.ts";
import { tempDir } from "../support/tmp.ts";

test("replaceOrAppendEnv replaces in place, appends new keys, unsets bare names", () => {
  assert.deepEqual(replaceOrAppendEnv(["A=1", "B=2", "C=3"], ["B=9", "D=4", "C"]), ["A=1", "B=9", "D=4"]);
});

test("containerEnv puts Docker's defaults first", () => {
  assert.deepEqual(containerEnv(["X=1"], "h", true), [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOSTNAME=h",
    "TERM=xterm",
    "X=1",
  ]);
  assert.deepEqual(mergeEnv([], ["A=1"]), ["A=1"]);
});

test("writeEtcFiles: hostname with a newline, libnetwork's default hosts, filtered resolv.conf", () => {
  const dir = tempDir();
  writeEtcFiles(dir, { hostname: "abcdef012345", network: "none" });
  assert.equal(readFileSync(join(dir, "hostname"), "utf8"), "abcdef012345\n");
  const hosts = readFileSync(join(dir, "hosts"), "utf8");
  assert.match(hosts, /^127\.0\.0\.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n/);
  assert.ok(hosts.endsWith("ff02::2\tip6-allrouters\n"));
  writeEtcFiles(dir, { hostname: "h", network: "host" });
  assert.equal(readFileSync(join(dir, "hosts"), "utf8"), readFileSync("/etc/hosts", "utf8"));
  // The older positional form still works.
  writeEtcFiles(dir, "old", "none");
  assert.equal(readFileSync(join(dir, "hostname"), "utf8"), "old\n");
});

test("loopback name servers are dropped; Google's stand in when none is left", () => {
  assert.equal(
    containerResolvConf("nameserver 127.0.0.53\nsearch x\n"),
    "search x\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n",
  );
  assert.equal(containerResolvConf("nameserver 10.0.0.1\nnameserver ::1\n"), "nameserver 10.0.0.1\n");
});

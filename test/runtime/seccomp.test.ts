/**
 * A seccomp profile in Docker's format becomes the OCI spec's linux.seccomp
 * as moby translates it: this machine's architectures from archMap, rules
 * kept or dropped by their includes/excludes (architecture, capabilities,
 * kernel), names and arguments carried over.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { StrataError } from "../../src/errors.ts";
import { loadDefaultProfile, parseSeccompProfile, seccompSpec } from "../../src/runtime/index.ts";

const profile = parseSeccompProfile(
  JSON.stringify({
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: 1,
    archMap: [
      { architecture: "SCMP_ARCH_X86_64", subArchitectures: ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
      { architecture: "SCMP_ARCH_AARCH64", subArchitectures: ["SCMP_ARCH_ARM"] },
    ],
    syscalls: [
      { names: ["read", "write"], action: "SCMP_ACT_ALLOW" },
      { names: ["arch_prctl"], action: "SCMP_ACT_ALLOW", includes: { arches: ["amd64", "x32"] } },
      { names: ["chroot"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_SYS_CHROOT"] } },
      { names: ["bpf"], action: "SCMP_ACT_ERRNO", errnoRet: 1, excludes: { caps: ["CAP_SYS_ADMIN"] } },
      { names: ["clone3"], action: "SCMP_ACT_ALLOW", includes: { minKernel: "5.3" } },
      {
        names: ["personality"],
        action: "SCMP_ACT_ALLOW",
        args: [{ index: 0, value: 8, op: "SCMP_CMP_EQ" }],
      },
    ],
  }),
);

const names = (s: ReturnType<typeof seccompSpec>) => s.syscalls.flatMap((c) => c.names);

test("architectures come from archMap for this machine's architecture", () => {
  const x64 = seccompSpec(profile, { capabilities: [], arch: "x64", kernel: "6.1.0" });
  assert.deepEqual(x64.architectures, ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
  assert.equal(x64.defaultAction, "SCMP_ACT_ERRNO");
  assert.equal(x64.defaultErrnoRet, 1);
  const arm = seccompSpec(profile, { capabilities: [], arch: "arm64", kernel: "6.1.0" });
  assert.deepEqual(arm.architectures, ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]);
  assert.equal(names(arm).includes("arch_prctl"), false, "an amd64-only rule is not on arm64");
  assert.equal(names(x64).includes("arch_prctl"), true);
});

test("rules follow the container's capabilities and the kernel", () => {
  const plain = seccompSpec(profile, { capabilities: ["CAP_CHOWN"], arch: "x64", kernel: "5.2.9" });
  assert.equal(names(plain).includes("chroot"), false);
  assert.equal(names(plain).includes("bpf"), true, "blocked without CAP_SYS_ADMIN");
  assert.equal(names(plain).includes("clone3"), false, "needs kernel 5.3");
  const admin = seccompSpec(profile, {
    capabilities: ["CAP_SYS_ADMIN", "CAP_SYS_CHROOT"],
    arch: "x64",
    kernel: "6.18.44-fc",
  });
  assert.equal(names(admin).includes("chroot"), true);
  assert.equal(names(admin).includes("bpf"), false, "not blocked with CAP_SYS_ADMIN");
  assert.equal(names(admin).includes("clone3"), true);
  const personality = admin.syscalls.find((c) => c.names.includes("personality"));
  assert.deepEqual(personality?.args, [{ index: 0, value: 8, valueTwo: 0, op: "SCMP_CMP_EQ" }]);
});

test("the default profile is Debian's containers-common file; a bad profile is Docker's decoding error", () => {
  const def = loadDefaultProfile();
  assert.equal(def.defaultAction, "SCMP_ACT_ERRNO");
  const spec = seccompSpec(def, { capabilities: ["CAP_CHOWN"] });
  assert.ok(spec.syscalls.length > 10);
  assert.throws(
    () => parseSeccompProfile("{nope"),
    (err: unknown) => err instanceof StrataError && /^Decoding seccomp profile failed: /.test(err.message),
  );
  assert.throws(
    () => loadDefaultProfile(["/nonexistent/seccomp.json"]),
    (err: unknown) =>
      err instanceof StrataError &&
      err.code === "RUNTIME_MISSING" &&
      /golang-github-containers-common/.test(err.hint ?? ""),
  );
});

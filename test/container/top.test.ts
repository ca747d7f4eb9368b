/** `top`'s reading of ps output, as moby's parsePSOutput does it (thread rows, overhanging command fields). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePsOutput, validatePsArgs } from "../../src/container/top.ts";

test("rows of the container's pids only, the command's spaces kept in the last column", () => {
  const out = "UID PID PPID CMD\nroot 10 1 sh -c  sleep 5\nroot 11 10 sleep 5\nroot 12 1 other\n";
  assert.deepEqual(parsePsOutput(out, [10, 11]), {
    Titles: ["UID", "PID", "PPID", "CMD"],
    Processes: [
      ["root", "10", "1", "sh -c sleep 5"],
      ["root", "11", "10", "sleep 5"],
    ],
  });
});

test("thread rows (ps -m: PID '-') follow the process they belong to", () => {
  const out = "PID TTY TIME CMD\n10 ? 00:00:00 sh\n- - 00:00:00 -\n12 ? 00:00:00 other\n- - 00:00:00 -\n";
  assert.deepEqual(parsePsOutput(out, [10]).Processes, [
    ["10", "?", "00:00:00", "sh"],
    ["-", "-", "00:00:00", "-"],
  ]);
});

test("no PID column, a renamed PID column: Docker's errors", () => {
  assert.throws(() => parsePsOutput("USER COMMAND\nroot sh\n", [1]), /Couldn't find PID field in ps output/);
  assert.throws(() => validatePsArgs("-o user=PID"), /specifying "user=PID" is not allowed/);
  validatePsArgs("-o pid=PID");
  validatePsArgs("-ef");
});

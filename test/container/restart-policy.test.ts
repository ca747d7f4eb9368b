/** Restart policies' rules, as moby's restartmanager and ValidateRestartPolicy state them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { nextDelay, shouldRestart, validateRestartPolicy } from "../../src/container/restart-policy.ts";

test("which runs are restarted: always and unless-stopped whatever the code, on-failure on failures up to N", () => {
  const always = validateRestartPolicy({ Name: "always" });
  const unless = validateRestartPolicy({ Name: "unless-stopped" });
  const onFailure = validateRestartPolicy({ Name: "on-failure", MaximumRetryCount: 2 });
  const forever = validateRestartPolicy({ Name: "on-failure" });
  assert.deepEqual([shouldRestart(always, 0, 50), shouldRestart(unless, 1, 0)], [true, true]);
  assert.deepEqual(
    [shouldRestart(onFailure, 1, 0), shouldRestart(onFailure, 1, 1), shouldRestart(onFailure, 1, 2)],
    [true, true, false],
  );
  assert.equal(shouldRestart(onFailure, 0, 0), false, "a success is no failure");
  assert.equal(shouldRestart(forever, 137, 1000), true, "on-failure without a count has no limit");
  assert.equal(shouldRestart(validateRestartPolicy({}), 1, 0), false, "an empty name is no");
});

test("the daemon's refusals of a policy", () => {
  assert.throws(() => validateRestartPolicy({ Name: "sometimes" }), {
    message:
      "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
  });
  assert.throws(() => validateRestartPolicy({ Name: "always", MaximumRetryCount: 3 }), {
    message: "invalid restart policy: maximum retry count can only be used with 'on-failure'",
  });
  assert.throws(() => validateRestartPolicy({ Name: "no", MaximumRetryCount: -1 }), {
    message:
      "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative",
  });
  assert.throws(() => validateRestartPolicy({ Name: "on-failure", MaximumRetryCount: -1 }), {
    message: "invalid restart policy: maximum retry count cannot be negative",
  });
});

test("the back-off: 100 ms, doubled per short run, at most a minute, reset by a run of 10 s", () => {
  let d = nextDelay(0, 50);
  const seen = [d];
  for (let i = 0; i < 12; i++) {
    d = nextDelay(d, 50);
    seen.push(d);
  }
  assert.deepEqual(seen.slice(0, 4), [100, 200, 400, 800]);
  assert.equal(seen.at(-1), 60_000);
  assert.equal(nextDelay(60_000, 10_000), 100);
});

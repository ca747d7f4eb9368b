/**
 * strata's command line: flags and dispatch only. Each command's code is
 * imported when that command runs, so start-up stays small.
 */
import { Command, CommanderError } from "commander";
import type { Engine } from "../engine.ts";
import type { CommandContext, CommandResult } from "./context.ts";
import { renderError } from "./errors.ts";
import { processIo } from "./io.ts";

type Action = (ctx: CommandContext, ...args: never[]) => Promise<CommandResult>;
// Modules also export helpers; only the named action is called.
type CommandModule = Record<string, unknown>;

let engine: Engine | undefined;
let exitCode = 0;

function context(program: Command): CommandContext {
  return {
    io: processIo,
    engine: async () => {
      if (!engine) {
        const { Engine } = await import("../engine.ts");
        const root = program.opts<{ root?: string }>().root;
        engine = new Engine({ root });
      }
      return engine;
    },
  };
}

/** Wraps a lazily imported command's `run` as a commander action. */
function lazy(program: Command, load: () => Promise<CommandModule>, name = "run") {
  return async (...args: unknown[]) => {
    const run = (await load())[name] as Action;
    // commander passes (…arguments, options, command); drop the command object.
    const result = await (run as (...a: unknown[]) => Promise<CommandResult>)(
      context(program),
      ...args.slice(0, -1),
    );
    exitCode = result.exitCode;
  };
}

function build(): Command {
  const program = new Command("strata")
    .description("A daemonless, Docker-compatible container engine")
    .option("--root <dir>", "root of the store (default $STRATA_ROOT or /var/lib/strata)")
    .version(process.env.STRATA_VERSION ?? "0.1.0", "-v, --version", "Print version information and quit")
    .showHelpAfterError(false)
    // Global options come before the command, as with docker: `system df -v` is verbose, not --version.
    .enablePositionalOptions()
    .exitOverride();

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const image = program.command("image").description("Manage images");
  const system = program.command("system").description("Manage strata");

  // Commands Docker offers both at the top level and under `image` (`images` = `image ls`).
  const imageCommands: Array<[top: string, sub: string, define: (c: Command) => Command]> = [
    [
      "pull",
      "pull",
      (c) =>
        c
          .description("Download an image from a registry")
          .argument("<name>", "NAME[:TAG|@DIGEST]")
          .option("-q, --quiet", "Suppress verbose output")
          .option("--platform <platform>", "Set platform if server is multi-platform capable")
          .action(lazy(program, () => import("./commands/pull.ts"))),
    ],
    [
      "images",
      "ls",
      (c) =>
        c
          .description("List images")
          .option("-a, --all", "Show all images (default hides intermediate images)")
          .option("-q, --quiet", "Only show image IDs")
          .option("--digests", "Show digests")
          .option("--no-trunc", "Don't truncate output")
          .option("-f, --filter <filter>", "Filter output based on conditions provided", collect)
          .option("--format <format>", "Format output using a custom template")
          .action(lazy(program, () => import("./commands/images.ts"))),
    ],
    [
      "rmi",
      "rm",
      (c) =>
        c
          .description("Remove one or more images")
          .argument("<image...>")
          .option("-f, --force", "Force removal of the image")
          .option("--no-prune", "Do not delete untagged parents")
          .action(lazy(program, () => import("./commands/rmi.ts"))),
    ],
    [
      "history",
      "history",
      (c) =>
        c
          .description("Show the history of an image")
          .argument("<image>")
          .option("--no-trunc", "Don't truncate output")
          .option("-q, --quiet", "Only show image IDs")
          .option(
            "-H, --human [bool]",
            "Print sizes and dates in human readable format",
            (v) => v !== "false",
          )
          .option("--format <format>", "Format output using a custom template")
          .action(lazy(program, () => import("./commands/history.ts"))),
    ],
    [
      "tag",
      "tag",
      (c) =>
        c
          .description("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
          .argument("<source>", "SOURCE_IMAGE[:TAG]")
          .argument("<target>", "TARGET_IMAGE[:TAG]")
          .action(lazy(program, () => import("./commands/tag.ts"))),
    ],
  ];
  for (const [top, sub, define] of imageCommands) {
    define(program.command(top));
    define(image.command(sub));
  }
  image.commands.find((c) => c.name() === "ls")?.alias("list");

  const archives: Array<[string, (c: Command) => Command]> = [
    [
      "import",
      (c) =>
        c
          .description("Import the contents from a tarball to create a filesystem image")
          .argument("<file>", "file|URL|-")
          .argument("[reference]", "REPOSITORY[:TAG]")
          .option("-m, --message <message>", "Set commit message for imported image")
          .action(lazy(program, () => import("./commands/import.ts"))),
    ],
    [
      "save",
      (c) =>
        c
          .description("Save one or more images to a tar archive (streamed to STDOUT by default)")
          .argument("<image...>")
          .option("-o, --output <file>", "Write to a file, instead of STDOUT")
          .action(lazy(program, () => import("./commands/save.ts"))),
    ],
    [
      "load",
      (c) =>
        c
          .description("Load an image from a tar archive or STDIN")
          .option("-i, --input <file>", "Read from tar archive file, instead of STDIN")
          .option("-q, --quiet", "Suppress the load output")
          .action(lazy(program, () => import("./commands/load.ts"))),
    ],
  ];
  for (const [name, define] of archives) {
    define(program.command(name));
    define(image.command(name));
  }

  const inspect = (c: Command, name: string) =>
    c
      .description("Return low-level information on strata objects")
      .argument("<name...>")
      .option("-f, --format <format>", "Format output using a custom template")
      .action(lazy(program, () => import("./commands/inspect.ts"), name));
  inspect(program.command("inspect"), "run")
    .option("--type <type>", "Return JSON for specified type")
    .option("-s, --size", "Display total file sizes if the type is container");
  inspect(image.command("inspect"), "images").description(
    "Display detailed information on one or more images",
  );

  image
    .command("prune")
    .description("Remove unused images")
    .option("-a, --all", "Remove all unused images, not just dangling ones")
    .option("-f, --force", "Do not prompt for confirmation")
    .action(lazy(program, () => import("./commands/image-prune.ts")));

  const runFlags = (c: Command) =>
    c
      .argument("<image>")
      .argument("[command...]")
      .passThroughOptions()
      .option("-i, --interactive", "Keep STDIN open even if not attached")
      .option("-t, --tty", "Allocate a pseudo-TTY")
      .option("--rm", "Automatically remove the container when it exits")
      .option("--name <name>", "Assign a name to the container")
      .option("-e, --env <env>", "Set environment variables", collect)
      .option("-w, --workdir <dir>", "Working directory inside the container")
      .option("-u, --user <user>", "Username or UID (format: <name|uid>[:<group|gid>])")
      .option("--entrypoint <cmd>", "Overwrite the default ENTRYPOINT of the image")
      .option("--network <mode>", "Connect a container to a network (none or host)")
      .option("-h, --hostname <name>", "Container host name")
      .option("--detach-keys <keys>", "Override the key sequence for detaching a container");
  const container = program.command("container").description("Manage containers");
  for (const parent of [program, container]) {
    runFlags(parent.command("run").description("Create and run a new container from an image"))
      .option("-d, --detach", "Run container in background and print container ID")
      .action(lazy(program, () => import("./commands/run.ts"), "run"));
    runFlags(parent.command("create").description("Create a new container")).action(
      lazy(program, () => import("./commands/run.ts"), "create"),
    );
    parent
      .command("start")
      .description("Start one or more stopped containers")
      .argument("<container...>")
      .option("-a, --attach", "Attach STDOUT/STDERR and forward signals")
      .option("-i, --interactive", "Attach container's STDIN")
      .option("--detach-keys <keys>", "Override the key sequence for detaching a container")
      .action(lazy(program, () => import("./commands/container-misc.ts"), "start"));
    defineContainerOps(program, parent);
    parent
      .command("rm")
      .description("Remove one or more containers")
      .argument("<container...>")
      .option("-f, --force", "Force the removal of a running container")
      .option("-v, --volumes", "Remove anonymous volumes associated with the container")
      .action(lazy(program, () => import("./commands/rm.ts")));
    parent
      .command("diff")
      .description("Inspect changes to files or directories on a container's filesystem")
      .argument("<container>")
      .action(lazy(program, () => import("./commands/container-misc.ts"), "diff"));
    parent
      .command("rename")
      .description("Rename a container")
      .argument("<container>")
      .argument("<new-name>")
      .action(lazy(program, () => import("./commands/container-misc.ts"), "rename"));
  }
  container
    .command("prune")
    .description("Remove all stopped containers")
    .option("-f, --force", "Do not prompt for confirmation")
    .action(lazy(program, () => import("./commands/container-ops.ts"), "prune"));
  container
    .command("inspect")
    .description("Display detailed information on one or more containers")
    .argument("<container...>")
    .option("-f, --format <format>", "Format output using a custom template")
    .option("-s, --size", "Display total file sizes")
    .action(lazy(program, () => import("./commands/inspect.ts"), "containers"));
  // conmon's exit command for detached containers; not for users.
  container
    .command("cleanup", { hidden: true })
    .argument("<container>")
    .action(lazy(program, () => import("./commands/container-ops.ts"), "cleanup"));

  const ps = (c: Command) =>
    c
      .description("List containers")
      .option("-a, --all", "Show all containers (default shows just running)")
      .option("-q, --quiet", "Only display container IDs")
      .option("-s, --size", "Display total file sizes")
      .option("--no-trunc", "Don't truncate output")
      .option("--format <format>", "Format output using a custom template")
      .action(lazy(program, () => import("./commands/ps.ts")));
  ps(program.command("ps"));
  ps(container.command("ls")).alias("list");

  system
    .command("df")
    .description("Show strata disk usage")
    .option("-v, --verbose", "Show detailed information on space usage")
    .action(lazy(program, () => import("./commands/system-df.ts")));
  system
    .command("check")
    .description("Verify every stored blob, layer and name")
    .option("--repair", "Remove leftovers of interrupted commands first")
    .action(lazy(program, () => import("./commands/system-check.ts")));

  return program;
}

/** Commands Docker offers both at the top level and under `container`. */
function defineContainerOps(program: Command, parent: Command): void {
  const ops = () => import("./commands/container-ops.ts");
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  parent
    .command("attach")
    .description("Attach local standard input, output, and error streams to a running container")
    .argument("<container>")
    .option("--no-stdin", "Do not attach STDIN")
    .option("--sig-proxy [bool]", "Proxy all received signals to the process", (v) => v !== "false")
    .option("--detach-keys <keys>", "Override the key sequence for detaching a container")
    .action(lazy(program, ops, "attach"));
  parent
    .command("stop")
    .description("Stop one or more running containers")
    .argument("<container...>")
    .option("-t, --time <seconds>", "Seconds to wait for stop before killing it", "10")
    .action(lazy(program, ops, "stop"));
  parent
    .command("kill")
    .description("Kill one or more running containers")
    .argument("<container...>")
    .option("-s, --signal <signal>", "Signal to send to the container", "KILL")
    .action(lazy(program, ops, "kill"));
  parent
    .command("wait")
    .description("Block until one or more containers stop, then print their exit codes")
    .argument("<container...>")
    .action(lazy(program, ops, "wait"));
  parent
    .command("logs")
    .description("Fetch the logs of a container")
    .argument("<container>")
    .option("-f, --follow", "Follow log output")
    .option("-n, --tail <lines>", "Number of lines to show from the end of the logs", "all")
    .option("-t, --timestamps", "Show timestamps")
    .action(lazy(program, ops, "logs"));
  parent
    .command("commit")
    .description("Create a new image from a container's changes")
    .argument("<container>")
    .argument("[repository]", "REPOSITORY[:TAG]")
    .option("-a, --author <author>", 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option("-m, --message <message>", "Commit message")
    .option("-p, --pause [bool]", "Pause container during commit", (v) => v !== "false", true)
    .action(lazy(program, () => import("./commands/commit.ts")));
  parent
    .command("exec")
    .description("Run a command in a running container")
    .argument("<container>")
    .argument("<command...>")
    .passThroughOptions()
    .option("-i, --interactive", "Keep STDIN open even if not attached")
    .option("-t, --tty", "Allocate a pseudo-TTY")
    .option("-d, --detach", "Detached mode: run command in the background")
    .option("-e, --env <env>", "Set environment variables", collect)
    .option("-w, --workdir <dir>", "Working directory inside the container")
    .option("-u, --user <user>", "Username or UID (format: <name|uid>[:<group|gid>])")
    .option("--detach-keys <keys>", "Override the key sequence for detaching a container")
    .action(lazy(program, ops, "exec"));
}

function configureErrors(cmd: Command): void {
  cmd.exitOverride().configureOutput({
    writeErr: (text) => process.stderr.write(text),
    // Docker's wording for flag errors: `unknown flag: --x` + `See 'docker pull --help'.`
    outputError: (text, write) => {
      const flag = /unknown option '([^']+)'/.exec(text);
      const message = flag ? `unknown flag: ${flag[1]}` : text.replace(/^error: /, "").trim();
      write(`${message}\nSee 'strata ${cmd.name() === "strata" ? "" : `${cmd.name()} `}--help'.\n`);
    },
  });
  for (const sub of cmd.commands) configureErrors(sub);
}

async function main(): Promise<void> {
  const program = build();
  configureErrors(program);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors exit 125 as Docker's do.
      exitCode = err.exitCode === 0 ? 0 : 125;
    } else {
      const rendered = renderError(err);
      process.stderr.write(`${rendered.message}\n`);
      exitCode = rendered.exitCode;
    }
  } finally {
    engine?.close();
  }
  process.exitCode = exitCode;
}

await main();

/**
 * Every command strata offers, as data: names, Docker's flags and help, and
 * the module that runs it (imported only when that command runs). Commands
 * Docker offers both at the top level and in a group (`images` = `image ls`)
 * share one spec.
 */
import type { CommandSpec, FlagSpec, GroupSpec } from "./args.ts";

const format: FlagSpec = { long: "format", value: "string", help: "Format output using a custom template" };
const noTrunc: FlagSpec = { long: "no-trunc", negates: "trunc", help: "Don't truncate output" };
const quiet = (help: string): FlagSpec => ({ long: "quiet", short: "q", help });
const force = (help: string): FlagSpec => ({ long: "force", short: "f", help });
const detachKeys: FlagSpec = {
  long: "detach-keys",
  value: "string",
  help: "Override the key sequence for detaching a container",
};
const env: FlagSpec = {
  long: "env",
  short: "e",
  value: "list",
  multiple: true,
  help: "Set environment variables",
};
const workdir: FlagSpec = {
  long: "workdir",
  short: "w",
  value: "string",
  help: "Working directory inside the container",
};
const user: FlagSpec = {
  long: "user",
  short: "u",
  value: "string",
  help: "Username or UID (format: <name|uid>[:<group|gid>])",
};
const interactive: FlagSpec = {
  long: "interactive",
  short: "i",
  help: "Keep STDIN open even if not attached",
};
const tty: FlagSpec = { long: "tty", short: "t", help: "Allocate a pseudo-TTY" };

const list = (long: string, help: string, short?: string): FlagSpec => ({
  long,
  ...(short ? { short } : {}),
  value: "list",
  multiple: true,
  help,
});

/** The resource limits `run`, `create` and `update` share. */
const limitFlags: FlagSpec[] = [
  { long: "memory", short: "m", value: "bytes", help: "Memory limit" },
  {
    long: "memory-swap",
    value: "bytes",
    help: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
  },
  { long: "cpus", value: "decimal", help: "Number of CPUs" },
  { long: "cpu-shares", short: "c", value: "int", help: "CPU shares (relative weight)" },
  { long: "cpuset-cpus", value: "string", help: "CPUs in which to allow execution (0-3, 0,1)" },
  { long: "pids-limit", value: "int", help: "Tune container pids limit (set -1 for unlimited)" },
];

/** Docker's HostConfig and Config flags of `run`/`create` (src/cli/commands/run-flags.ts parses them). */
const hostFlags: FlagSpec[] = [
  ...limitFlags,
  list("ulimit", "Ulimit options (default [])"),
  { long: "shm-size", value: "bytes", help: "Size of /dev/shm" },
  list("cap-add", "Add Linux capabilities"),
  list("cap-drop", "Drop Linux capabilities"),
  { long: "privileged", help: "Give extended privileges to this container" },
  { long: "read-only", help: "Mount the container's root filesystem as read only" },
  list("device", "Add a host device to the container"),
  list("group-add", "Add additional groups to join"),
  { long: "init", help: "Run an init inside the container that forwards signals and reaps processes" },
  list("security-opt", "Security Options"),
  list("env-file", "Read in a file of environment variables"),
  list("label", "Set meta data on a container", "l"),
  { long: "stop-signal", value: "string", help: 'Signal to stop a container (default "SIGTERM")' },
  { long: "stop-timeout", value: "int", help: "Timeout (in seconds) to stop a container" },
];

const runFlags: FlagSpec[] = [
  interactive,
  tty,
  { long: "rm", help: "Automatically remove the container when it exits" },
  {
    long: "restart",
    value: "string",
    default: "no",
    help: 'Restart policy to apply when a container exits (default "no")',
  },
  { long: "name", value: "string", help: "Assign a name to the container" },
  env,
  workdir,
  user,
  { long: "entrypoint", value: "string", help: "Overwrite the default ENTRYPOINT of the image" },
  { long: "network", value: "string", help: "Connect a container to a network" },
  {
    long: "network-alias",
    value: "list",
    multiple: true,
    help: "Add network-scoped alias for the container",
  },
  { long: "ip", value: "string", help: "IPv4 address (e.g., 172.30.100.104)" },
  {
    long: "publish",
    short: "p",
    value: "list",
    multiple: true,
    help: "Publish a container's port(s) to the host",
  },
  { long: "publish-all", short: "P", help: "Publish all exposed ports to random ports" },
  { long: "expose", value: "list", multiple: true, help: "Expose a port or a range of ports" },
  { long: "dns", value: "list", multiple: true, help: "Set custom DNS servers" },
  { long: "dns-search", value: "list", multiple: true, help: "Set custom DNS search domains" },
  { long: "dns-option", value: "list", multiple: true, help: "Set DNS options" },
  { long: "add-host", value: "list", multiple: true, help: "Add a custom host-to-IP mapping (host:ip)" },
  { long: "hostname", short: "h", value: "string", help: "Container host name" },
  detachKeys,
  ...hostFlags,
  { long: "volume", short: "v", value: "list", multiple: true, help: "Bind mount a volume" },
  { long: "mount", value: "mount", multiple: true, help: "Attach a filesystem mount to the container" },
  { long: "tmpfs", value: "list", multiple: true, help: "Mount a tmpfs directory" },
];

const images = () => import("./commands/images.ts");
const run = () => import("./commands/run.ts");
const misc = () => import("./commands/container-misc.ts");
const ops = () => import("./commands/container-ops.ts");
const inspectModule = () => import("./commands/inspect.ts");

export const pull: CommandSpec = {
  name: "pull",
  summary: "Download an image from a registry",
  args: ["<NAME[:TAG|@DIGEST]>"],
  flags: [
    quiet("Suppress verbose output"),
    { long: "platform", value: "string", help: "Set platform if server is multi-platform capable" },
  ],
  load: () => import("./commands/pull.ts"),
};

export const push: CommandSpec = {
  name: "push",
  summary: "Push an image or a repository to a registry",
  args: ["<NAME[:TAG]>"],
  flags: [
    { long: "all-tags", short: "a", help: "Push all tagged images in the repository" },
    quiet("Suppress verbose output"),
  ],
  load: () => import("./commands/push.ts"),
};

const login: CommandSpec = {
  name: "login",
  summary: "Log in to a registry",
  args: ["[SERVER]"],
  flags: [
    { long: "password", short: "p", value: "string", help: "Password" },
    { long: "password-stdin", help: "Take the password from stdin" },
    { long: "username", short: "u", value: "string", help: "Username" },
  ],
  load: () => import("./commands/login.ts"),
};

const logout: CommandSpec = {
  name: "logout",
  summary: "Log out from a registry",
  args: ["[SERVER]"],
  flags: [],
  load: () => import("./commands/login.ts"),
  action: "logout",
};

const imageLs: CommandSpec = {
  name: "images",
  summary: "List images",
  args: ["[REPOSITORY[:TAG]]"],
  flags: [
    { long: "all", short: "a", help: "Show all images (default hides intermediate images)" },
    quiet("Only show image IDs"),
    { long: "digests", help: "Show digests" },
    noTrunc,
    {
      long: "filter",
      short: "f",
      value: "filter",
      multiple: true,
      help: "Filter output based on conditions provided",
    },
    format,
  ],
  load: images,
};

const rmi: CommandSpec = {
  name: "rmi",
  summary: "Remove one or more images",
  args: ["<IMAGE...>"],
  flags: [
    force("Force removal of the image"),
    { long: "no-prune", negates: "prune", help: "Do not delete untagged parents" },
  ],
  load: () => import("./commands/rmi.ts"),
};

const history: CommandSpec = {
  name: "history",
  summary: "Show the history of an image",
  args: ["<IMAGE>"],
  flags: [
    noTrunc,
    quiet("Only show image IDs"),
    { long: "human", short: "H", help: "Print sizes and dates in human readable format" },
    format,
  ],
  load: () => import("./commands/history.ts"),
};

const tag: CommandSpec = {
  name: "tag",
  summary: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
  args: ["<SOURCE_IMAGE[:TAG]>", "<TARGET_IMAGE[:TAG]>"],
  flags: [],
  load: () => import("./commands/tag.ts"),
};

const importCmd: CommandSpec = {
  name: "import",
  summary: "Import the contents from a tarball to create a filesystem image",
  args: ["<file|URL|->", "[REPOSITORY[:TAG]]"],
  flags: [{ long: "message", short: "m", value: "string", help: "Set commit message for imported image" }],
  load: () => import("./commands/import.ts"),
};

const save: CommandSpec = {
  name: "save",
  summary: "Save one or more images to a tar archive (streamed to STDOUT by default)",
  args: ["<IMAGE...>"],
  flags: [{ long: "output", short: "o", value: "string", help: "Write to a file, instead of STDOUT" }],
  load: () => import("./commands/save.ts"),
};

const load: CommandSpec = {
  name: "load",
  summary: "Load an image from a tar archive or STDIN",
  args: [],
  flags: [
    { long: "input", short: "i", value: "string", help: "Read from tar archive file, instead of STDIN" },
    quiet("Suppress the load output"),
  ],
  load: () => import("./commands/load.ts"),
};

const inspectFormat: FlagSpec = { ...format, short: "f" };

const inspect: CommandSpec = {
  name: "inspect",
  summary: "Return low-level information on strata objects",
  args: ["<NAME|ID...>"],
  flags: [
    inspectFormat,
    { long: "type", value: "string", help: "Return JSON for specified type" },
    { long: "size", short: "s", help: "Display total file sizes if the type is container" },
  ],
  load: inspectModule,
};

const runCmd: CommandSpec = {
  name: "run",
  summary: "Create and run a new container from an image",
  args: ["<IMAGE>", "[COMMAND...]"],
  flags: [
    { long: "detach", short: "d", help: "Run container in background and print container ID" },
    ...runFlags,
  ],
  stopAtArgument: true,
  load: run,
  action: "run",
};

const create: CommandSpec = {
  ...runCmd,
  name: "create",
  summary: "Create a new container",
  flags: runFlags,
  action: "create",
};

const start: CommandSpec = {
  name: "start",
  summary: "Start one or more stopped containers",
  args: ["<CONTAINER...>"],
  flags: [
    { long: "attach", short: "a", help: "Attach STDOUT/STDERR and forward signals" },
    { long: "interactive", short: "i", help: "Attach container's STDIN" },
    detachKeys,
  ],
  load: misc,
  action: "start",
};

const rm: CommandSpec = {
  name: "rm",
  summary: "Remove one or more containers",
  args: ["<CONTAINER...>"],
  flags: [
    force("Force the removal of a running container (uses SIGKILL)"),
    { long: "volumes", short: "v", help: "Remove anonymous volumes associated with the container" },
  ],
  load: () => import("./commands/rm.ts"),
};

const diff: CommandSpec = {
  name: "diff",
  summary: "Inspect changes to files or directories on a container's filesystem",
  args: ["<CONTAINER>"],
  flags: [],
  load: misc,
  action: "diff",
};

const cp: CommandSpec = {
  name: "cp",
  summary: "Copy files/folders between a container and the local filesystem",
  args: ["<CONTAINER:SRC_PATH|SRC_PATH|->", "<DEST_PATH|-|CONTAINER:DEST_PATH>"],
  flags: [
    { long: "archive", short: "a", help: "Archive mode (copy all uid/gid information)" },
    { long: "follow-link", short: "L", help: "Always follow symbol link in SRC_PATH" },
  ],
  load: () => import("./commands/cp.ts"),
};

const rename: CommandSpec = {
  name: "rename",
  summary: "Rename a container",
  args: ["<CONTAINER>", "<NEW_NAME>"],
  flags: [],
  load: misc,
  action: "rename",
};

const ps: CommandSpec = {
  name: "ps",
  summary: "List containers",
  args: [],
  flags: [
    { long: "all", short: "a", help: "Show all containers (default shows just running)" },
    quiet("Only display container IDs"),
    { long: "size", short: "s", help: "Display total file sizes" },
    noTrunc,
    {
      long: "filter",
      short: "f",
      value: "filter",
      multiple: true,
      help: "Filter output based on conditions provided",
    },
    format,
  ],
  load: () => import("./commands/ps.ts"),
};

const attach: CommandSpec = {
  name: "attach",
  summary: "Attach local standard input, output, and error streams to a running container",
  args: ["<CONTAINER>"],
  flags: [
    { long: "no-stdin", negates: "stdin", help: "Do not attach STDIN" },
    { long: "sig-proxy", help: "Proxy all received signals to the process (default true)" },
    detachKeys,
  ],
  load: ops,
  action: "attach",
};

const stop: CommandSpec = {
  name: "stop",
  summary: "Stop one or more running containers",
  args: ["<CONTAINER...>"],
  flags: [
    {
      long: "time",
      short: "t",
      value: "int",
      help: "Seconds to wait for stop before killing it (default 10, or the container's --stop-timeout)",
    },
  ],
  load: ops,
  action: "stop",
};

const exportCmd: CommandSpec = {
  name: "export",
  summary: "Export a container's filesystem as a tar archive",
  args: ["<CONTAINER>"],
  flags: [{ long: "output", short: "o", value: "string", help: "Write to a file, instead of STDOUT" }],
  load: () => import("./commands/cp.ts"),
  action: "exportContainer",
};

const top: CommandSpec = {
  name: "top",
  summary: "Display the running processes of a container",
  args: ["<CONTAINER>", "[ps OPTIONS...]"],
  flags: [],
  // Everything after the container is ps's (`top c -o pid,comm`), as docker/cli's SetInterspersed(false).
  stopAtArgument: true,
  load: () => import("./commands/top.ts"),
};

const stats: CommandSpec = {
  name: "stats",
  summary: "Display a live stream of container(s) resource usage statistics",
  args: ["[CONTAINER...]"],
  flags: [
    { long: "all", short: "a", help: "Show all containers (default shows just running)" },
    { long: "no-stream", help: "Disable streaming stats and only pull the first result" },
    noTrunc,
    format,
  ],
  load: () => import("./commands/stats.ts"),
};

const restart: CommandSpec = {
  name: "restart",
  summary: "Restart one or more containers",
  args: ["<CONTAINER...>"],
  flags: [
    {
      long: "time",
      short: "t",
      value: "int",
      default: "10",
      help: "Seconds to wait for stop before killing the container",
    },
  ],
  load: ops,
  action: "restart",
};

const pause: CommandSpec = {
  name: "pause",
  summary: "Pause all processes within one or more containers",
  args: ["<CONTAINER...>"],
  flags: [],
  load: ops,
  action: "pause",
};

const unpause: CommandSpec = {
  name: "unpause",
  summary: "Unpause all processes within one or more containers",
  args: ["<CONTAINER...>"],
  flags: [],
  load: ops,
  action: "unpause",
};

const kill: CommandSpec = {
  name: "kill",
  summary: "Kill one or more running containers",
  args: ["<CONTAINER...>"],
  flags: [
    { long: "signal", short: "s", value: "string", default: "KILL", help: "Signal to send to the container" },
  ],
  load: ops,
  action: "kill",
};

const update: CommandSpec = {
  name: "update",
  summary: "Update configuration of one or more containers",
  args: ["<CONTAINER...>"],
  flags: [
    ...limitFlags,
    { long: "restart", value: "string", help: "Restart policy to apply when a container exits" },
  ],
  load: () => import("./commands/update.ts"),
};

const wait: CommandSpec = {
  name: "wait",
  summary: "Block until one or more containers stop, then print their exit codes",
  args: ["<CONTAINER...>"],
  flags: [],
  load: ops,
  action: "wait",
};

const logs: CommandSpec = {
  name: "logs",
  summary: "Fetch the logs of a container",
  args: ["<CONTAINER>"],
  flags: [
    { long: "follow", short: "f", help: "Follow log output" },
    {
      long: "tail",
      short: "n",
      value: "string",
      default: "all",
      help: "Number of lines to show from the end of the logs",
    },
    { long: "timestamps", short: "t", help: "Show timestamps" },
    {
      long: "since",
      value: "string",
      help: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
    {
      long: "until",
      value: "string",
      help: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
  ],
  load: ops,
  action: "logs",
};

const exec: CommandSpec = {
  name: "exec",
  summary: "Run a command in a running container",
  args: ["<CONTAINER>", "<COMMAND...>"],
  flags: [
    interactive,
    tty,
    { long: "detach", short: "d", help: "Detached mode: run command in the background" },
    env,
    workdir,
    user,
    detachKeys,
  ],
  stopAtArgument: true,
  load: ops,
  action: "exec",
};

const commit: CommandSpec = {
  name: "commit",
  summary: "Create a new image from a container's changes",
  args: ["<CONTAINER>", "[REPOSITORY[:TAG]]"],
  flags: [
    {
      long: "author",
      short: "a",
      value: "string",
      help: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
    },
    list("change", "Apply Dockerfile instruction to the created image", "c"),
    { long: "message", short: "m", value: "string", help: "Commit message" },
    { long: "pause", short: "p", default: true, help: "Pause container during commit (default true)" },
  ],
  load: () => import("./commands/commit.ts"),
};

const build: CommandSpec = {
  name: "build",
  summary: "Build an image from a Dockerfile",
  args: ["<PATH|->"],
  flags: [
    {
      long: "tag",
      short: "t",
      value: "list",
      multiple: true,
      help: "Name and optionally a tag in the 'name:tag' format",
    },
    {
      long: "file",
      short: "f",
      value: "string",
      help: "Name of the Dockerfile (Default is 'PATH/Dockerfile')",
    },
    { long: "build-arg", value: "list", multiple: true, help: "Set build-time variables" },
    { long: "target", value: "string", help: "Set the target build stage to build." },
    { long: "no-cache", help: "Do not use cache when building the image" },
    { long: "pull", help: "Always attempt to pull a newer version of the image" },
    quiet("Suppress the build output and print image ID on success"),
    { long: "label", value: "list", multiple: true, help: "Set metadata for an image" },
    {
      long: "network",
      value: "string",
      default: "default",
      help: "Set the networking mode for the RUN instructions during build",
    },
    { long: "iidfile", value: "string", help: "Write the image ID to the file" },
    {
      long: "progress",
      value: "string",
      default: "auto",
      help: "Set type of progress output (auto, plain, tty). Use plain to show container output",
    },
  ],
  load: () => import("./commands/build.ts"),
};

const builderPrune: CommandSpec = {
  name: "prune",
  summary: "Remove build cache",
  args: [],
  flags: [
    { long: "all", short: "a", help: "Remove all unused build cache, not just dangling ones" },
    force("Do not prompt for confirmation"),
  ],
  load: () => import("./commands/builder-prune.ts"),
};

const systemDf: CommandSpec = {
  name: "df",
  summary: "Show strata disk usage",
  args: [],
  flags: [{ long: "verbose", short: "v", help: "Show detailed information on space usage" }],
  load: () => import("./commands/system-df.ts"),
};

const systemCheck: CommandSpec = {
  name: "check",
  summary: "Verify every stored blob, layer and name",
  args: [],
  flags: [{ long: "repair", help: "Remove leftovers of interrupted commands first" }],
  load: () => import("./commands/system-check.ts"),
};

const imageTree: CommandSpec = {
  name: "tree",
  summary: "Show which layers images and containers share, as a tree",
  args: ["[IMAGE...]"],
  flags: [
    { long: "format", value: "string", help: 'Format output: "json", or "html" (one self-contained page)' },
  ],
  load: () => import("./commands/image-tree.ts"),
};

const version: CommandSpec = {
  name: "version",
  summary: "Show the strata version information",
  args: [],
  flags: [format],
  load: () => import("./commands/version.ts"),
};

const info: CommandSpec = {
  name: "info",
  summary: "Display system-wide information",
  args: [],
  flags: [format],
  load: () => import("./commands/info.ts"),
};

const events: CommandSpec = {
  name: "events",
  summary: "Get real time events from the server",
  args: [],
  flags: [
    {
      long: "filter",
      short: "f",
      value: "filter",
      multiple: true,
      help: "Filter output based on conditions provided",
    },
    format,
    { long: "since", value: "string", help: "Show all events created since timestamp" },
    { long: "until", value: "string", help: "Stream events until this timestamp" },
  ],
  load: () => import("./commands/events.ts"),
};

const systemService: CommandSpec = {
  name: "service",
  summary: "Run the Docker Engine API service on a unix socket",
  args: ["[URI]"],
  flags: [
    {
      long: "time",
      short: "t",
      value: "int",
      help: "Time until the service session expires in seconds. Use 0 to disable the timeout (default 5)",
    },
  ],
  load: () => import("./commands/system-service.ts"),
};

const systemPrune: CommandSpec = {
  name: "prune",
  summary: "Remove unused data",
  args: [],
  flags: [
    { long: "all", short: "a", help: "Remove all unused images not just dangling ones" },
    {
      long: "filter",
      value: "filter",
      multiple: true,
      help: 'Provide filter values (e.g. "label=<key>=<value>")',
    },
    force("Do not prompt for confirmation"),
    { long: "volumes", help: "Prune anonymous volumes" },
  ],
  load: () => import("./commands/system-prune.ts"),
};

const imagePrune: CommandSpec = {
  name: "prune",
  summary: "Remove unused images",
  args: [],
  flags: [
    { long: "all", short: "a", help: "Remove all unused images, not just dangling ones" },
    force("Do not prompt for confirmation"),
  ],
  load: () => import("./commands/image-prune.ts"),
};

const containerPrune: CommandSpec = {
  name: "prune",
  summary: "Remove all stopped containers",
  args: [],
  flags: [force("Do not prompt for confirmation")],
  load: ops,
  action: "prune",
};

const port: CommandSpec = {
  name: "port",
  summary: "List port mappings or a specific mapping for the container",
  args: ["<CONTAINER>", "[PRIVATE_PORT[/PROTO]]"],
  flags: [],
  load: () => import("./commands/port.ts"),
};

const network = () => import("./commands/network.ts");

const networkCommands: CommandSpec[] = [
  {
    name: "connect",
    summary: "Connect a container to a network",
    args: ["<NETWORK>", "<CONTAINER>"],
    flags: [
      { long: "alias", value: "list", multiple: true, help: "Add network-scoped alias for the container" },
      { long: "ip", value: "string", help: "IPv4 address (e.g., 172.30.100.104)" },
    ],
    load: network,
    action: "connect",
  },
  {
    name: "create",
    summary: "Create a network",
    args: ["<NETWORK>"],
    flags: [
      {
        long: "driver",
        short: "d",
        value: "string",
        default: "bridge",
        help: "Driver to manage the Network",
      },
      { long: "subnet", value: "string", help: "Subnet in CIDR format that represents a network segment" },
      { long: "gateway", value: "string", help: "IPv4 Gateway for the master subnet" },
      { long: "internal", help: "Restrict external access to the network" },
      { long: "label", value: "list", multiple: true, help: "Set metadata on a network" },
    ],
    load: network,
    action: "create",
  },
  {
    name: "disconnect",
    summary: "Disconnect a container from a network",
    args: ["<NETWORK>", "<CONTAINER>"],
    flags: [force("Force the container to disconnect from a network")],
    load: network,
    action: "disconnect",
  },
  {
    name: "inspect",
    summary: "Display detailed information on one or more networks",
    args: ["<NETWORK...>"],
    flags: [inspectFormat],
    load: network,
    action: "inspect",
  },
  {
    name: "ls",
    aliases: ["list"],
    summary: "List networks",
    args: [],
    flags: [noTrunc, quiet("Only display network IDs"), format],
    load: network,
    action: "ls",
  },
  {
    name: "prune",
    summary: "Remove all unused networks",
    args: [],
    flags: [force("Do not prompt for confirmation")],
    load: network,
    action: "prune",
  },
  {
    name: "rm",
    aliases: ["remove"],
    summary: "Remove one or more networks",
    args: ["<NETWORK...>"],
    flags: [],
    load: network,
    action: "rm",
  },
];

const containerCleanup: CommandSpec = {
  name: "cleanup",
  summary: "Settle an ended container (conmon's exit command)",
  args: ["<CONTAINER>"],
  flags: [],
  hidden: true,
  load: ops,
  action: "cleanup",
};

const volume = () => import("./commands/volume.ts");
const volumeFilter: FlagSpec = {
  long: "filter",
  short: "f",
  value: "filter",
  multiple: true,
  help: "Provide filter values (e.g. 'dangling=true')",
};

const VOLUME_COMMANDS: CommandSpec[] = [
  {
    name: "create",
    summary: "Create a volume",
    args: ["[VOLUME]"],
    flags: [
      { long: "driver", short: "d", value: "string", default: "local", help: "Specify volume driver name" },
      { long: "label", value: "list", multiple: true, help: "Set metadata for a volume" },
      { long: "opt", short: "o", value: "map", multiple: true, help: "Set driver specific options" },
      { long: "name", value: "string", help: "Specify volume name" },
    ],
    load: volume,
    action: "create",
  },
  {
    name: "inspect",
    summary: "Display detailed information on one or more volumes",
    args: ["<VOLUME...>"],
    flags: [inspectFormat],
    load: volume,
    action: "inspect",
  },
  {
    name: "ls",
    aliases: ["list"],
    summary: "List volumes",
    args: [],
    flags: [volumeFilter, format, quiet("Only display volume names")],
    load: volume,
    action: "ls",
  },
  {
    name: "prune",
    summary: "Remove all unused local volumes",
    args: [],
    flags: [
      {
        long: "filter",
        value: "filter",
        multiple: true,
        help: "Provide filter values (e.g. 'label=<label>')",
      },
      force("Do not prompt for confirmation"),
    ],
    load: volume,
    action: "prune",
  },
  {
    name: "rm",
    aliases: ["remove"],
    summary: "Remove one or more volumes",
    args: ["<VOLUME...>"],
    flags: [force("Force the removal of one or more volumes")],
    load: volume,
    action: "rm",
  },
];

export const TOP_LEVEL: CommandSpec[] = [
  runCmd,
  build,
  exec,
  ps,
  pull,
  push,
  imageLs,
  create,
  start,
  attach,
  stop,
  restart,
  top,
  stats,
  pause,
  unpause,
  kill,
  wait,
  logs,
  rm,
  rmi,
  diff,
  cp,
  exportCmd,
  commit,
  rename,
  update,
  port,
  inspect,
  history,
  tag,
  importCmd,
  save,
  load,
  login,
  logout,
  version,
  info,
  events,
];

export const GROUPS: GroupSpec[] = [
  {
    name: "container",
    summary: "Manage containers",
    commands: [
      attach,
      commit,
      cp,
      create,
      diff,
      exec,
      exportCmd,
      { ...inspect, summary: "Display detailed information on one or more containers", action: "containers" },
      kill,
      logs,
      { ...ps, name: "ls", aliases: ["list", "ps"] },
      port,
      pause,
      containerPrune,
      rename,
      restart,
      rm,
      runCmd,
      start,
      stats,
      stop,
      top,
      unpause,
      update,
      wait,
      containerCleanup,
    ],
  },
  {
    name: "image",
    summary: "Manage images",
    commands: [
      history,
      importCmd,
      {
        ...inspect,
        summary: "Display detailed information on one or more images",
        flags: [inspectFormat],
        action: "images",
      },
      load,
      { ...imageLs, name: "ls", aliases: ["list"] },
      imagePrune,
      pull,
      push,
      { ...rmi, name: "rm", aliases: ["remove"] },
      save,
      tag,
      imageTree,
    ],
  },
  { name: "builder", summary: "Manage builds", commands: [build, builderPrune] },
  { name: "network", summary: "Manage networks", commands: networkCommands },
  {
    name: "system",
    summary: "Manage strata",
    commands: [systemCheck, systemDf, events, info, systemPrune, systemService],
  },
  { name: "volume", summary: "Manage volumes", commands: VOLUME_COMMANDS },
];

export { createdSince, humanDuration } from "./duration.ts";
export { byteOrder } from "./order.ts";
export { displayPorts, type PortSummary } from "./ports.ts";
export { bytesSize, formatG, humanSize, humanSizeWithPrecision } from "./size.ts";
export { parseFormat, parseTemplate, Template } from "./template.ts";
export { goJson } from "./template-funcs.ts";
export { displayWidth, ellipsis, goQuote, renderTable, truncateId } from "./text.ts";
export { type Rfc3339NanoOptions, rfc3339Nano } from "./time.ts";
export { parseTimestamp } from "./timestamp.ts";

// The HA engine named by the inventory, as the operations the drill and `ksorch status` use.
import type { HaEngine } from "../inventory/types.js";
import type { HaOps } from "./types.js";
import { heartbeatOps } from "./heartbeat/ops.js";
import { keepalivedOps } from "./keepalived/ops.js";

export function haOps(engine: HaEngine): HaOps {
  return engine === "heartbeat" ? heartbeatOps : keepalivedOps;
}

// Argument pieces shared by several modules.
import { z } from "zod";
import { durationMs } from "../inventory/duration.js";

/** A duration as the inventory writes it: "500ms", "30s", or a number of seconds. In ms. */
export const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return durationMs(v);
  } catch {
    ctx.addIssue({ code: "custom", message: "not a duration (e.g. 500ms, 30s)" });
    return z.NEVER;
  }
});

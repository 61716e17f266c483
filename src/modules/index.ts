// Every module by the name playbooks use for it.
import { copyModule } from "./copy/index.js";
import { fileModule } from "./file/index.js";
import { packageModule } from "./package/index.js";
import type { Module } from "./types.js";

export const MODULES: ReadonlyMap<string, Module> = new Map(
  ([packageModule, fileModule, copyModule] as Module[]).map((m) => [m.name, m]),
);

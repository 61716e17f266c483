// Every module by the name playbooks use for it.
import { clusterVipsModule } from "./cluster_vips/index.js";
import { commandModule, shellModule } from "./command/index.js";
import { configModule } from "./config/index.js";
import { copyModule } from "./copy/index.js";
import { fileModule } from "./file/index.js";
import { packageModule } from "./package/index.js";
import { serviceModule } from "./service/index.js";
import { syncModule } from "./sync/index.js";
import { templateModule } from "./template/index.js";
import type { Module } from "./types.js";
import { waitForModule } from "./wait_for/index.js";

export const MODULES: ReadonlyMap<string, Module> = new Map(
  (
    [
      packageModule,
      fileModule,
      copyModule,
      templateModule,
      configModule,
      serviceModule,
      commandModule,
      shellModule,
      syncModule,
      waitForModule,
      clusterVipsModule,
    ] as Module[]
  ).map((m) => [m.name, m]),
);

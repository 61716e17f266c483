import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { templateModule } from "../../src/modules/template/index.js";
import { applyPlan, localHost, localTransport } from "./helpers.js";

describe("template", () => {
  it("renders an EJS file from templates/ with the host's variables and extra vars, unescaped", async () => {
    const root = await mkdtemp(join(tmpdir(), "ksorch-tpl-"));
    await mkdir(join(root, "templates"));
    await writeFile(
      join(root, "templates", "motd.ejs"),
      "<%= server.name %> serves <%= vip %> & <%= note %>\n",
    );
    const t = localTransport();
    const host = {
      ...localHost(t, { localRoot: root }),
      vars: { server: { name: "server1" }, vip: "192.168.0.253" },
    };
    const dest = join(root, "out", "motd");
    const args = templateModule.args.parse({ src: "motd.ejs", dest, vars: { note: "<ftp>" } });
    await applyPlan(t, await templateModule.plan(args, host));
    expect(await readFile(dest, "utf8")).toBe("server1 serves 192.168.0.253 & <ftp>\n");
    expect((await templateModule.plan(args, host)).kind).toBe("noop");
  });

  it("takes only paths below templates/", () => {
    expect(templateModule.args.safeParse({ src: "/etc/passwd.ejs", dest: "/x" }).success).toBe(
      false,
    );
    expect(templateModule.args.safeParse({ src: "motd.txt", dest: "/x" }).success).toBe(false);
  });
});

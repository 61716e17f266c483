import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TaskError } from "../../src/errors.js";
import { templateModule } from "../../src/modules/template/index.js";
import { applyPlan, fakeHost, localHost, localTransport } from "./helpers.js";

/** A project root whose templates/ holds `files`. */
async function project(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "ksorch-tpl-"));
  await mkdir(join(root, "templates"));
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(root, "templates", name), text);
  }
  return root;
}

describe("template", () => {
  it("renders an EJS file from templates/ with the host's variables and extra vars, unescaped", async () => {
    const root = await project({
      "motd.ejs": "<%= server.name %> serves <%= vip %> & <%= note %>\n",
    });
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

  describe("a broken template: one sentence with its line, no dump of EJS's code", () => {
    const vars = { server: { name: "server1" }, facts: undefined };
    const problemOf = async (text: string) =>
      templateModule.localProblem?.(
        templateModule.args.parse({ src: "t.ejs", dest: "/etc/t" }),
        await project({ "t.ejs": text }),
        vars,
      )?.message;

    it("before the run: a tag never closed, a block never closed, code that does not compile", async () => {
      expect(await problemOf("# motd\n<%= server.name %> and <%= server.vip\n")).toBe(
        "template t.ejs, line 2: the tag <%= is never closed with %>",
      );
      expect(await problemOf("<% if (a) { %>\nx\n<% } %>\n<% if (server.vip) { %>\nvip\n")).toBe(
        "template t.ejs, line 4: unexpected end of template: a block, bracket or string this tag opens is never closed",
      );
      expect(await problemOf("a\nb\n<%= server.name) %>\n")).toBe(
        "template t.ejs, line 3: Unexpected token ')'",
      );
    });

    it("before the run: a name no variable has; what the facts would make fail is the run's", async () => {
      expect(await problemOf("<%= server.name %>\n<%= foo %>\n")).toBe(
        "template t.ejs, line 2: foo is not defined",
      );
      expect(await problemOf("<%= facts.os.id %>\n")).toBeUndefined();
    });

    it("in the run: a TaskError naming the line and the error alone", async () => {
      const { host } = fakeHost([], {
        localRoot: await project({ "t.ejs": "# motd\n\n<%= facts.os.nope.id %>\n" }),
        vars: { facts: { os: {} } },
      });
      const plan = templateModule.plan(
        templateModule.args.parse({ src: "t.ejs", dest: "/etc/t" }),
        host,
      );
      await expect(plan).rejects.toThrow(TaskError);
      await expect(plan).rejects.toThrow(
        /^template t\.ejs, line 3: Cannot read properties of undefined \(reading 'id'\)$/,
      );
    });
  });
});

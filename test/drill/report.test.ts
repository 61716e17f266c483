import { describe, expect, it } from "vitest";
import { binThroughput } from "../../src/drill/report/chart.js";
import { renderHtmlReport } from "../../src/drill/report/html.js";
import { drillResult } from "../../src/drill/result.js";
import { T0, crashScenario, stopScenario } from "./scenario.js";

const VOID = new Set(["meta", "br", "hr", "img", "input", "link"]);

/** Every element closed in order; returns the unclosed or mismatched tag, or undefined. */
function firstUnbalancedTag(html: string): string | undefined {
  const body = html.replace(/<!DOCTYPE[^>]*>/i, "").replace(/<script[^>]*>[\s\S]*?<\/script>/g, "");
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m as unknown as [string, string, string, string];
    if (selfClosing || VOID.has(name.toLowerCase())) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) return name;
  }
  return stack[0];
}

describe("binThroughput", () => {
  it("sums bytes per server into bins as MB/s", () => {
    const b = binThroughput(
      [
        { atMs: 0, client: "c1", server: "s1", bytes: 1_000_000 },
        { atMs: 500, client: "c2", server: "s1", bytes: 1_000_000 },
        { atMs: 1500, client: "c1", server: "s2", bytes: 3_000_000 },
      ],
      ["s1", "s2"],
      0,
      2000,
      2,
    );
    expect(b.binMs).toBe(1000);
    expect(b.series).toEqual([
      { server: "s1", rates: [2, 0] },
      { server: "s2", rates: [0, 3] },
    ]);
  });
});

describe("renderHtmlReport", () => {
  it("is a well-formed self-contained page with the verdict, chart, fault marker and data", () => {
    const obs = stopScenario();
    const result = drillResult(obs);
    const html = renderHtmlReport(obs, result);
    expect(firstUnbalancedTag(html)).toBeUndefined();
    expect(html).not.toMatch(/<script(?![^>]*application\/json)/);
    expect(html).not.toMatch(/(src|href)="http/);
    expect(html).toContain('<p class="verdict pass" id="verdict">PASS: 192.168.0.253 moved');
    expect(html.match(/<path class="series" data-server="server[12]"/g)).toHaveLength(2);
    expect(html.match(/<line class="marker" data-label="fault"/g)).toHaveLength(2);
    expect(html).toContain('class="marker-label"');
    expect(html).toContain(">takeover</text>");
    expect(html).toContain("<td>server2</td><td>3.0 MB</td><td>5.0 MB</td>");
    expect(html).toContain("The paper measured about 4 s");
    const json = /<script type="application\/json" id="drill-result">(.*)<\/script>/.exec(
      html,
    )?.[1];
    expect(JSON.parse(json ?? "null")).toEqual(JSON.parse(JSON.stringify(result)));
  });

  it("shows a failed verdict with its fix and escapes text", () => {
    const obs = crashScenario();
    obs.setup.target = "server1";
    obs.clients = [{ client: "<client>", finished: false, checksumOk: false }];
    const html = renderHtmlReport(obs, drillResult(obs));
    expect(firstUnbalancedTag(html)).toBeUndefined();
    expect(html).toContain(
      '<p class="verdict fail" id="verdict">FAIL: single owner throughout; dhcp follows its VIP; install clients finished</p>',
    );
    expect(html).toContain("&lt;client&gt;: did not finish");
    expect(html).toContain("ksorch&#39;s HA guard releases it");
    expect(html).toContain("(`service ksorch-ha-guard status`, log /var/log/ksorch-ha-guard.log)");
    expect(html).not.toContain("watchdog");
    expect(html).toContain("No install clients ran during this drill.");
    expect(drillResult(obs).faultAt).toBe(new Date(T0).toISOString());
  });
});

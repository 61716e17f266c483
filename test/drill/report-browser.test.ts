// The drill report as a person sees it: rendered by headless Chromium (Debian's `chromium`, from
// scripts/setup.sh), driven by playwright-core, from the in-memory stop-drill scenario (no lab).
// Asserts on the rendered page: the verdict line, one drawn series per server, the axis labels
// and the fault/takeover/undo markers.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtmlReport } from "../../src/drill/report/html.js";
import { drillResult } from "../../src/drill/result.js";
import { stopScenario } from "./scenario.js";

const work = mkdtempSync(join(tmpdir(), "ksorch-report-"));
let browser: BrowserContext;

beforeAll(async () => {
  // A new, empty profile: playwright passes it to Chromium as --user-data-dir.
  browser = await chromium.launchPersistentContext(join(work, "profile"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the drill report in Chromium", { timeout: 60_000 }, () => {
  it("shows the verdict first, one filled panel per server, axis labels and the markers", async () => {
    const obs = stopScenario();
    const file = join(work, "drill.html");
    writeFileSync(file, renderHtmlReport(obs, drillResult(obs)));
    const page = await browser.newPage();
    await page.setViewportSize({ width: 900, height: 1200 });
    await page.goto(pathToFileURL(file).href);

    const verdict = page.locator("#verdict");
    expect(await verdict.innerText()).toMatch(
      /^PASS: 192\.168\.0\.253 moved to server2 in 0\.420 s/,
    );
    // The verdict is the first thing on the page, above the title.
    const [vBox, hBox] = await Promise.all([
      verdict.boundingBox(),
      page.locator("h1").boundingBox(),
    ]);
    expect(vBox && hBox && vBox.y < hBox.y).toBe(true);

    // One drawn series per server, each in a panel of its own, stacked without overlapping.
    const series = page.locator("svg path.series");
    expect(await series.count()).toBe(2);
    const boxes = await Promise.all([0, 1].map((i) => series.nth(i).boundingBox()));
    for (const b of boxes) expect(b && b.width > 300 && b.height > 10).toBe(true);
    const [a, b] = boxes;
    expect(a && b && a.y + a.height <= b.y).toBe(true);
    expect(await page.locator("svg .server-label").allTextContents()).toEqual([
      "server1",
      "server2",
    ]);

    const svgText = await page.locator("svg").textContent();
    expect(svgText).toContain("seconds from the fault");
    expect(svgText).toContain("throughput (MB/s)");
    expect(await page.locator("svg .marker-label").allTextContents()).toEqual([
      "fault",
      "takeover",
      "undo",
    ]);
    expect(await page.locator("td", { hasText: "MB" }).count()).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: join(tmpdir(), "ksorch-report-test.png"), fullPage: true });
    await page.close();
  });
});

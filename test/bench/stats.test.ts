// The benchmarks' statistics and markdown (bench/lib/stats.mjs): what docs/benchmarks.md shows.
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the benchmark scripts, without types
import { cell, median, minMax, ms, ratio, table } from "../../bench/lib/stats.mjs";

describe("bench statistics", () => {
  it("takes the lower middle value as the median, ignoring missing values", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([undefined, 7, Number.NaN])).toBe(7);
    expect(median([])).toBeUndefined();
    expect(minMax([3, undefined, 9, 1])).toEqual({ min: 1, max: 9 });
  });

  it("shows a median with its min-max, or the one value of a single run", () => {
    expect(cell([1200, 900, 15000])).toBe("1.20 s (900 ms-15.0 s)");
    expect(cell([412])).toBe("412 ms");
    expect(cell([])).toBe("-");
    expect(ms(48_900)).toBe("48.9 s");
  });

  it("gives the ratio of the medians, and none against zero or nothing", () => {
    expect(ratio([1000, 1200, 1100], [10_000])).toBe("0.11x");
    expect(ratio([30_000], [1000])).toBe("30x");
    expect(ratio([2500], [1000])).toBe("2.5x");
    expect(ratio([1], [0])).toBe("-");
    expect(ratio([], [1])).toBe("-");
  });

  it("renders a markdown table", () => {
    expect(table(["a", "b"], [[1, undefined]])).toBe("| a | b |\n|---|---|\n| 1 |  |");
  });
});

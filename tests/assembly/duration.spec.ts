import { parseDuration } from "../../assembly/config/duration";

describe("parseDuration", () => {
  it("reads hours, minutes and seconds", () => {
    expect(parseDuration("168h")).toBe(604800);
    expect(parseDuration("30m")).toBe(1800);
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("1h30m")).toBe(5400);
  });
  it("reads a bare number as seconds, and 0", () => {
    expect(parseDuration("3600")).toBe(3600);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration("0s")).toBe(0);
  });
  it("refuses empty text, unknown units, signs, spaces and trailing digits after units", () => {
    expect(parseDuration("")).toBe(-1);
    expect(parseDuration("10d")).toBe(-1);
    expect(parseDuration("-5m")).toBe(-1);
    expect(parseDuration("5 m")).toBe(-1);
    expect(parseDuration("1h30")).toBe(-1);
    expect(parseDuration("h")).toBe(-1);
    expect(parseDuration("1.5h")).toBe(-1);
  });
  it("refuses absurdly large values", () => {
    expect(parseDuration("999999999999999h")).toBe(-1);
  });
});

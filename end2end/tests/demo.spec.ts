// Demo mode (`./scripts/run.sh --demo`): the app in simulator mode with agent bots and caller
// bots, started here with its own server so the bots run during this test only. A supervisor
// watches the floor move by itself (bots answer callers the bots placed), then a person signs in
// beside the bots and takes a real simulated call from a caller bot. Screenshots go to
// end2end/artifacts/demo-*.png.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { test, expect, type Page } from "@playwright/test";
import { DEMO_PASSWORD, DEMO_PORT, demoEnv } from "../support/env";
import { Agents, shot } from "../support/app";
import { supervisorOnTheFloor } from "../support/sim";

let server: ChildProcess | undefined;
let log = "";

test.beforeAll(async () => {
  const bin = path.join(__dirname, "..", "..", "target", "release", "warm-transfer");
  server = spawn(bin, [], { cwd: path.join(__dirname, "..", ".."), env: demoEnv, stdio: ["ignore", "pipe", "pipe"] });
  server.stdout?.on("data", (d) => (log += d));
  server.stderr?.on("data", (d) => (log += d));
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${DEMO_PORT}/healthz`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > until || server.exitCode !== null) throw new Error(`the demo server did not start:\n${log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

test.afterAll(async () => {
  server?.kill("SIGTERM");
});

let people: Agents;
test.beforeEach(({ browser }) => {
  people = new Agents(browser);
});
test.afterEach(async () => {
  await people.done();
});

const tile = (p: Page, id: string) => p.locator(`#${id} .tile-value`);
const agentRow = (p: Page, agent: string) => p.locator(`#floor-agents tr[data-agent="${agent}"]`);

test("the floor moves by itself in demo mode, and a person takes a caller bot's call beside the agent bots", async () => {
  test.setTimeout(150_000);
  const sup = await supervisorOnTheFloor(people);

  // The bots signed in on their own, and callers the bots placed are answered by them.
  for (const bot of ["bot1", "bot2"]) await expect(agentRow(sup.page, bot)).toBeVisible({ timeout: 20_000 });
  const answered = async () => Number(((await tile(sup.page, "tile-counts").innerText()).match(/(\d+) answered/) ?? [])[1] ?? 0);
  await expect.poll(answered, { timeout: 45_000, message: "bots answer the callers" }).toBeGreaterThanOrEqual(2);
  await expect
    .poll(async () => (await sup.page.locator('#floor-agents tr[data-agent^="bot"][data-presence="on-call"]').count()), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(1);
  await shot(sup.page, "demo-1-the-floor-moves-by-itself");

  // A person signs in beside them: callers keep coming, so agent1 is offered one and talks.
  // (Callers wait, so agent1 may ring the moment their phone is ready: no pause to check.)
  const a1 = await people.page("agent1");
  await a1.page.goto("/");
  await expect(a1.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await a1.page.fill("#identity", "agent1");
  await a1.page.fill("#password", DEMO_PASSWORD);
  await a1.page.click("#sign-in-button");
  await expect(a1.page.locator("#call-status")).toHaveText("Incoming support call", { timeout: 60_000 });
  await a1.page.click("#answer-call-button");
  await expect(a1.page.locator("#call-status")).toHaveText("In call with customer");
  await expect(agentRow(sup.page, "agent1")).toHaveAttribute("data-presence", "on-call");
  await shot(a1.page, "demo-2-a-person-talks-with-a-caller-bot");
  await shot(sup.page, "demo-3-the-floor-with-the-person-on-a-call");
  // The agent ends the call (a caller bot waits for the agent to end it) and wraps up.
  await a1.page.click("#hangup-call-button");
  await expect(a1.page.locator("#presence")).toHaveText(/^(Wrap-up|Available) · /);
  expect(a1.errors.concat(sup.errors)).toEqual([]);
});

// The tutorial's warm transfer end to end through real server code and the built-in simulator:
// three browsers (customer phone, agent 1, agent 2), no test doubles anywhere.
import { test, expect, type Browser, type Page } from "@playwright/test";
import { DEMO_PASSWORD, SIM_RING_SECS } from "../support/env";
import { shot } from "../support/app";

type SimCall = { sid: string; from: string; to: string; status: string; now_hearing: string; hearing: string[]; conference_sid: string | null };
type SimConference = { sid: string; friendly_name: string; status: string; participants: { call_sid: string; label: string | null; name: string; status: string }[] };
type SimState = { calls: SimCall[]; conferences: SimConference[] };

async function simState(page: Page): Promise<SimState> {
  const res = await page.request.post("/api/sim_state");
  expect(res.ok()).toBeTruthy();
  return res.json();
}

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  return errors;
}

/** A signed-in agent console with a registered (simulated) device. */
async function agent(browser: Browser, name: string): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext()).newPage();
  const errors = collectErrors(page);
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#sim-badge")).toHaveText("Simulator");
  await page.fill("#identity", name);
  await page.fill("#password", DEMO_PASSWORD);
  await page.click("#sign-in-button");
  await page.click(`#connect-${name}-button`);
  await expect(page.locator("#call-status")).toHaveText(`Connected as: ${name}`);
  return { page, errors };
}

async function customer(browser: Browser): Promise<{ page: Page; errors: string[]; sid: () => Promise<string> }> {
  const page = await (await browser.newContext()).newPage();
  const errors = collectErrors(page);
  await page.goto("/phone");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#phone-status")).toHaveText("Idle");
  return { page, errors, sid: async () => (await page.locator("#phone-call-sid").innerText()).trim() };
}

async function call(phone: { page: Page }) {
  await phone.page.click("#phone-call-button");
  await expect(phone.page.locator("#phone-heard")).toContainText("Thank you for calling. Please wait in line", { timeout: 10_000 });
  await expect(phone.page.locator("#phone-hearing")).toContainText("(looping)");
}

test("the tutorial's six steps: customer, agent 1 and agent 2 through a warm transfer", async ({ browser }) => {
  const a1 = await agent(browser, "agent1");
  const a2 = await agent(browser, "agent2");
  const phone = await customer(browser);

  await call(phone);
  await shot(phone.page, "sim-01-customer-waiting");
  await expect(a1.page.locator("#call-status")).toHaveText("Incoming support call");
  await a1.page.click("#answer-call-button");
  await expect(a1.page.locator("#call-status")).toHaveText("In call with customer");
  await expect(phone.page.locator("#phone-conference")).toContainText("agent1");

  await a1.page.click("#dial-agent2-button");
  await expect(a2.page.locator("#call-status")).toHaveText("Incoming support call");
  await a2.page.click("#answer-call-button");
  await expect(a2.page.locator("#call-status")).toHaveText("In call with customer");
  await expect(a2.page.locator("#dial-agent2-button")).toBeHidden();

  const customerSid = await phone.sid();
  await expect.poll(async () => {
    const conf = (await simState(phone.page)).conferences.find((c) => c.friendly_name === customerSid);
    return conf ? `${conf.status}:${conf.participants.length}` : "none";
  }).toBe("in-progress:3");
  await shot(a1.page, "sim-02-agent1-three-way");
  await shot(phone.page, "sim-03-customer-three-way");

  // Agent 1 hands over: leaves; customer and agent 2 talk on.
  await a1.page.click("#hangup-call-button");
  await expect(a1.page.locator("#call-status")).toHaveText("Connected as: agent1");
  await expect.poll(async () => {
    const conf = (await simState(phone.page)).conferences.find((c) => c.friendly_name === customerSid);
    return conf ? `${conf.status}:${conf.participants.length}` : "none";
  }).toBe("in-progress:2");
  await expect(phone.page.locator("#phone-status")).toHaveText(/in call/i);
  await expect(a2.page.locator("#call-status")).toHaveText("In call with customer");

  // The customer hangs up: the conference ends and agent 2 is ready again.
  await phone.page.click("#phone-hangup-button");
  await expect(a2.page.locator("#call-status")).toHaveText("Connected as: agent2");
  await expect.poll(async () => (await simState(phone.page)).conferences.find((c) => c.friendly_name === customerSid)?.status).toBe("completed");
  await shot(phone.page, "sim-04-after-transfer");
  for (const e of [a1.errors, a2.errors, phone.errors]) expect(e).toEqual([]);
});

test("the customer hanging up while waiting cancels agent 1's incoming call", async ({ browser }) => {
  const a1 = await agent(browser, "agent1");
  const phone = await customer(browser);
  await call(phone);
  await expect(a1.page.locator("#call-status")).toHaveText("Incoming support call");
  await phone.page.click("#phone-hangup-button");
  await expect(a1.page.locator("#call-status")).toHaveText(/^Connected as: agent1 · .*hung up/i);
  await expect(a1.page.locator("#answer-call-button")).toBeDisabled();
  const agentLeg = (await simState(phone.page)).calls.filter((c) => c.to === "client:agent1").pop();
  expect(agentLeg?.status).toBe("canceled");
  await shot(a1.page, "sim-05-cancelled");
  expect(a1.errors).toEqual([]);
});

test("agent 2 hanging up after agent 1 left ends the call for the customer", async ({ browser }) => {
  const a1 = await agent(browser, "agent1");
  const a2 = await agent(browser, "agent2");
  const phone = await customer(browser);
  await call(phone);
  await a1.page.click("#answer-call-button");
  await expect(a1.page.locator("#call-status")).toHaveText("In call with customer");
  await a1.page.click("#dial-agent2-button");
  await a2.page.click("#answer-call-button");
  await expect(a2.page.locator("#call-status")).toHaveText("In call with customer");
  await a1.page.click("#hangup-call-button");
  await expect(a1.page.locator("#call-status")).toHaveText("Connected as: agent1");
  await a2.page.click("#hangup-call-button");
  await expect(phone.page.locator("#phone-status")).toHaveText(/ended/i);
  await expect(a2.page.locator("#call-status")).toHaveText("Connected as: agent2");
  const customerSid = await phone.sid();
  const conf = (await simState(phone.page)).conferences.find((c) => c.friendly_name === customerSid);
  expect(conf?.status).toBe("completed");
});

test("nobody answering agent 1's ring leaves the customer waiting, not dropped", async ({ browser }) => {
  const a1 = await agent(browser, "agent1");
  const phone = await customer(browser);
  await call(phone);
  await expect(a1.page.locator("#call-status")).toHaveText("Incoming support call");
  // Ring out: the simulator reports no-answer after the ring timeout.
  await expect.poll(async () => (await simState(phone.page)).calls.filter((c) => c.to === "client:agent1").pop()?.status, {
    timeout: (SIM_RING_SECS + 6) * 1000,
  }).toBe("no-answer");
  await expect(a1.page.locator("#answer-call-button")).toBeDisabled();
  await expect(phone.page.locator("#phone-status")).toHaveText(/in call/i);
  await expect(phone.page.locator("#phone-hearing")).toContainText("(looping)");
  await shot(phone.page, "sim-06-still-waiting");
  // Tidy up so the next test starts from a quiet simulator.
  await phone.page.click("#phone-hangup-button");
});

test("an agent's console downloads only the main WASM module; each simulator page fetches its own", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  const errors = collectErrors(page);
  const wasm: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".wasm")) wasm.push(path);
  });
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  expect(wasm).toEqual(["/pkg/warm-transfer.wasm"]);

  await page.goto("/phone");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#phone-call-button")).toBeEnabled();
  expect(wasm.some((p) => /^\/pkg\/split_hydrate_phone_\d+\.wasm$/.test(p)), wasm.join(" ")).toBe(true);
  expect(wasm.some((p) => p.includes("monitor")), wasm.join(" ")).toBe(false);

  await page.goto("/simulator");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  expect(wasm.some((p) => /^\/pkg\/split_hydrate_monitor_\d+\.wasm$/.test(p)), wasm.join(" ")).toBe(true);

  // Any other path: the 404 page, with a way back, and nothing to hydrate.
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.locator(".not-found a")).toHaveAttribute("href", "/");
  expect(errors.filter((e) => !e.includes("404"))).toEqual([]);
});

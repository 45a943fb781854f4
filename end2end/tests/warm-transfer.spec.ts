// The contact center end to end through real server code and the built-in simulator: customers
// on the phone page, agents on their consoles, each in a browser of their own, no test doubles.
// Three demo agents; the queue goes to the longest-idle available agent (the one who became
// available first); wrap-up and ring timeouts are short here (support/env.ts).
import { test, expect } from "@playwright/test";
import { SIM_RING_SECS, SIM_WRAP_UP_SECS } from "../support/env";
import { Agents, collectErrors, shot, signIn, type Agent } from "../support/app";
import { call, conferenceOf, customerPhone, hangUp, signedInAgent, simState } from "../support/sim";

let people: Agents;
test.beforeEach(({ browser }) => {
  people = new Agents(browser);
});
test.afterEach(async () => {
  // Customers hang up first (their pages are in the list too), then the agents sign out.
  await people.done();
});

const agent = (name: string) => signedInAgent(people, name);
const customer = (label = "customer") => customerPhone(people, label);

const status = (a: Agent) => a.page.locator("#call-status");
const presence = (a: Agent) => a.page.locator("#presence");

test("the tutorial's six steps: customer, agent 1 and agent 2 through a warm transfer", async () => {
  const a1 = await agent("agent1");
  const a2 = await agent("agent2");
  await expect(a1.page.locator("#agent-agent2")).toContainText("Available");
  await expect(a1.page.locator("#agent-agent3")).toContainText("Offline");
  const phone = await customer();

  await call(phone);
  await shot(phone.page, "sim-01-customer-waiting");
  // agent1 became available first: agent1 rings, agent2 does not.
  await expect(status(a1)).toHaveText("Incoming support call");
  await expect(presence(a1)).toHaveText("Ringing");
  await expect(status(a2)).toHaveText("Connected as: agent2");
  await a1.page.click("#answer-call-button");
  await expect(status(a1)).toHaveText("In call with customer");
  await expect(presence(a1)).toHaveText("On a call");
  await expect(phone.page.locator("#phone-conference")).toContainText("agent1");

  // Consult agent 2 from the directory: the customer is held with music while agent 2 rings.
  await expect(a1.page.locator("#consult-agent3-button")).toBeDisabled();
  await a1.page.fill("#transfer-note", "wants to upgrade");
  await a1.page.click("#consult-agent2-button");
  await expect(status(a2)).toHaveText("Incoming support call");
  await expect(a1.page.locator("#my-call-legs")).toContainText("Agent 2 · transfer target · ringing");
  await expect(a1.page.locator("#my-call-legs")).toContainText(/Caller .* · on hold/);
  await expect(a2.page.locator("#my-transfer")).toContainText("Transfer from Agent 1");
  await expect(a2.page.locator("#my-transfer")).toContainText("note: wants to upgrade");
  await expect(phone.page.locator("#phone-hearing")).not.toContainText("conference with agent1");
  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  await expect(a1.page.locator("#my-call-legs")).toContainText("Agent 2 · transfer target · connected");
  await expect(a1.page.locator("#my-transfer")).toContainText("consulting Agent 2; the caller is on hold");
  // Agent 2 is on the call: nobody left to consult; only agent 1 (who has the call) acts on it.
  await expect(a2.page.locator("#consult-agent1-button")).toBeDisabled();
  await expect(a2.page.locator("#consult-agent3-button")).toBeDisabled();
  await expect(a2.page.locator("#complete-transfer-button")).toBeDisabled();
  await expect(a1.page.locator("#complete-transfer-button")).toBeEnabled();

  await expect.poll(() => conferenceOf(phone)).toBe("in-progress:3");
  await shot(a1.page, "sim-02-agent1-consulting");
  await shot(phone.page, "sim-03-customer-on-hold");

  // Agent 1 hands over: hangs up, which completes the transfer; customer and agent 2 talk on.
  await a1.page.click("#hangup-call-button");
  await expect(status(a1)).toHaveText("Connected as: agent1");
  await expect(presence(a1)).toHaveText(/^(Wrap-up · \d:\d\d left|Available · \d:\d\d)$/);
  await expect.poll(() => conferenceOf(phone)).toBe("in-progress:2");
  await expect(phone.page.locator("#phone-status")).toHaveText(/in call/i);
  await expect(phone.page.locator("#phone-hearing")).toHaveText("conference with agent2");
  await expect(status(a2)).toHaveText("In call with customer");
  await expect(a2.page.locator("#my-call-legs")).toContainText("Agent 2 · has the call · connected");
  await expect(a2.page.locator("#my-call-legs")).not.toContainText("agent1");

  // The customer hangs up: the conference ends and agent 2 is free again after wrap-up.
  await phone.page.click("#phone-hangup-button");
  await expect(status(a2)).toHaveText("Connected as: agent2");
  const customerSid = await phone.sid();
  await expect.poll(async () => (await simState(phone.page)).conferences.find((c) => c.friendly_name === customerSid)?.status).toBe("completed");
  await expect(presence(a2)).toHaveText(/^Available · /, { timeout: (SIM_WRAP_UP_SECS + 5) * 1000 });
  await expect(a2.page.locator("#recent-calls .recent-call").first()).toContainText("agent1 consults agent2 (note: wants to upgrade); customer on hold");
  await expect(a2.page.locator("#recent-calls .recent-call").first()).toContainText("transfer completed: agent2 has the call, agent1 left");
  await shot(a2.page, "sim-04-agent2-after-transfer");
  await shot(phone.page, "sim-04-after-transfer");
  for (const e of [a1.errors, a2.errors, phone.errors]) expect(e).toEqual([]);
});

test("the customer hanging up while waiting cancels agent 1's incoming call", async () => {
  const a1 = await agent("agent1");
  const phone = await customer();
  await call(phone);
  await expect(status(a1)).toHaveText("Incoming support call");
  await phone.page.click("#phone-hangup-button");
  await expect(status(a1)).toHaveText("Connected as: agent1 · Call stopped ringing");
  // Why it stopped is on the call's timeline.
  await expect(a1.page.locator("#recent-calls .recent-call").first()).toContainText("customer hung up");
  await expect(a1.page.locator("#answer-call-button")).toBeDisabled();
  // Not agent 1's fault: they are available again at once.
  await expect(presence(a1)).toHaveText(/^Available · /);
  const agentLeg = (await simState(phone.page)).calls.filter((c) => c.to === "client:agent1").pop();
  expect(agentLeg?.status).toBe("canceled");
  await shot(a1.page, "sim-05-cancelled");
  expect(a1.errors).toEqual([]);
});

test("agent 2 hanging up after agent 1 left ends the call for the customer", async () => {
  const a1 = await agent("agent1");
  const a2 = await agent("agent2");
  const phone = await customer();
  await call(phone);
  await a1.page.click("#answer-call-button");
  await expect(status(a1)).toHaveText("In call with customer");
  await a1.page.click("#consult-agent2-button");
  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  await expect(a1.page.locator("#my-call-legs")).toContainText("Agent 2 · transfer target · connected");
  await a1.page.click("#hangup-call-button");
  await expect(status(a1)).toHaveText("Connected as: agent1");
  await a2.page.click("#hangup-call-button");
  await expect(phone.page.locator("#phone-status")).toHaveText(/ended/i);
  await expect(status(a2)).toHaveText("Connected as: agent2");
  expect(await conferenceOf(phone)).toMatch(/^completed:/);
});

test("an agent who lets an offer ring out turns away and the next agent rings", async () => {
  const a1 = await agent("agent1");
  const a2 = await agent("agent2");
  const phone = await customer();
  await call(phone);
  await expect(status(a1)).toHaveText("Incoming support call");
  // Nobody answers: the simulator reports no-answer after the ring timeout.
  await expect(presence(a1)).toHaveText(/^Away — missed a call · \d:\d\d$/, { timeout: (SIM_RING_SECS + 6) * 1000 });
  await expect(a1.page.locator("#answer-call-button")).toBeDisabled();
  await expect(status(a2)).toHaveText("Incoming support call");
  await expect(a1.page.locator("#agent-agent2")).toContainText("Ringing");
  await shot(a1.page, "sim-06-missed-call");
  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  await expect(phone.page.locator("#phone-conference")).toContainText("agent2");
  // Agent 1 is back when they say so.
  await a1.page.click("#available-button");
  await expect(presence(a1)).toHaveText(/^Available · /);
  await hangUp(phone);
  for (const e of [a1.errors, a2.errors, phone.errors]) expect(e).toEqual([]);
});

test("nobody answering leaves the customer waiting in the queue, not dropped", async () => {
  const a1 = await agent("agent1");
  const phone = await customer();
  await call(phone);
  await expect(status(a1)).toHaveText("Incoming support call");
  await expect.poll(async () => (await simState(phone.page)).calls.filter((c) => c.to === "client:agent1").pop()?.status, {
    timeout: (SIM_RING_SECS + 6) * 1000,
  }).toBe("no-answer");
  await expect(a1.page.locator("#answer-call-button")).toBeDisabled();
  await expect(presence(a1)).toHaveText(/^Away — missed a call/);
  await expect(a1.page.locator("#queue")).toHaveText(/^1 waiting · longest \d:\d\d$/);
  await expect(phone.page.locator("#phone-status")).toHaveText(/in call/i);
  await expect(phone.page.locator("#phone-heard")).toContainText("You are caller number 1.", { timeout: 15_000 });
  await shot(phone.page, "sim-07-still-waiting");
  // Agent 1 comes back: the waiting caller rings them again.
  await a1.page.click("#available-button");
  await expect(status(a1)).toHaveText("Incoming support call");
  await a1.page.click("#answer-call-button");
  await expect(status(a1)).toHaveText("In call with customer");
  await expect(a1.page.locator("#queue")).toHaveText("No one waiting");
  await hangUp(phone);
  expect(a1.errors).toEqual([]);
});

test("three agents, four callers: each agent rings once, the fourth caller queues and gets the first agent free after wrap-up", async () => {
  test.setTimeout(90_000);
  const a1 = await agent("agent1");
  const a2 = await agent("agent2");
  const a3 = await agent("agent3");
  const team = [a1, a2, a3];
  const phones = [await customer("caller1"), await customer("caller2"), await customer("caller3"), await customer("caller4")];

  // Callers 1–3 each ring a different agent, in the order the agents became available.
  for (const [i, a] of team.entries()) {
    await call(phones[i]);
    await expect(status(a)).toHaveText("Incoming support call");
    for (const other of team.slice(i + 1)) await expect(status(other)).toHaveText(`Connected as: ${other.name}`);
  }
  for (const a of team) {
    await a.page.click("#answer-call-button");
    await expect(status(a)).toHaveText("In call with customer");
  }
  for (const [i, a] of team.entries()) await expect(phones[i].page.locator("#phone-conference")).toContainText(a.name);
  // Every console sees the others on calls, live.
  await expect(a1.page.locator("#agent-agent2")).toContainText("On a call");
  await expect(a1.page.locator("#agent-agent3")).toContainText("On a call");
  await expect(a3.page.locator("#agent-agent1")).toContainText("On a call");

  // Caller 4: nobody free, so they queue and hear their place.
  await call(phones[3]);
  await expect(phones[3].page.locator("#phone-heard")).toContainText("You are caller number 1.", { timeout: 15_000 });
  for (const a of team) await expect(a.page.locator("#queue")).toHaveText(/^1 waiting · longest \d:\d\d$/);
  for (const a of team) await expect(status(a)).toHaveText("In call with customer");
  await shot(a2.page, "sim-08-queue-of-one");
  await shot(phones[3].page, "sim-09-caller-number-1");

  // Agent 2 finishes their call: wrap-up, then caller 4 rings them.
  await a2.page.click("#hangup-call-button");
  await expect(status(a2)).toHaveText("Connected as: agent2");
  await expect(phones[1].page.locator("#phone-status")).toHaveText(/ended/i);
  await expect(presence(a2)).toHaveText(/^Wrap-up · \d:\d\d left$/);
  await expect(a1.page.locator("#agent-agent2")).toContainText("Wrap-up");
  await shot(a2.page, "sim-10-wrap-up");
  await expect(status(a2)).toHaveText("Incoming support call", { timeout: (SIM_WRAP_UP_SECS + 5) * 1000 });
  await expect(a1.page.locator("#agent-agent2")).toContainText("Ringing");
  for (const a of team) await expect(a.page.locator("#queue")).toHaveText("No one waiting");
  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  await expect(phones[3].page.locator("#phone-conference")).toContainText("agent2");
  await expect(a3.page.locator("#agent-agent2")).toContainText("On a call");
  await shot(a3.page, "sim-11-everyone-busy");

  for (const p of [phones[0], phones[2], phones[3]]) await hangUp(p);
  for (const a of team) await expect(status(a)).toHaveText(`Connected as: ${a.name}`);
  for (const x of [...team, ...phones]) expect(x.errors).toEqual([]);
});

test("the sign-in page downloads only the main WASM module, a signed-in console the panels' too; each simulator page fetches its own", async ({ browser }) => {
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

  // Signed in: the panels' module comes once the page is live (never a simulator page's).
  await signIn(page, "agent3", "simulator");
  await expect(page.locator("#my-call")).toBeVisible();
  expect(wasm.some((p) => /^\/pkg\/split_draw_panels_\d+\.wasm$/.test(p)), wasm.join(" ")).toBe(true);
  expect(wasm.some((p) => p.includes("hydrate_")), wasm.join(" ")).toBe(false);
  await page.click("#sign-out-button");
  await expect(page.locator("#sign-in-button")).toBeVisible();

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
  await page.context().close();
});

test("the agent's phone in the simulator: keypad digits reach the customer, the headset unplugged from the monitor falls back and comes back, a bad network is told in words", async () => {
  const a1 = await agent("agent1");
  const phone = await customer();
  // The simulated browser's devices, headset chosen for both sides.
  await a1.page.locator("#speaker-select").selectOption("headset");
  await a1.page.locator("#microphone-select").selectOption("headset-mic");
  await call(phone);
  await expect(status(a1)).toHaveText("Incoming support call");
  await a1.page.click("#answer-call-button");
  await expect(status(a1)).toHaveText("In call with customer");
  // A phone menu wants digits: the customer's call hears them.
  await a1.page.click("#keypad-button");
  for (const key of ["#key-1", "#key-2", "#key-hash"]) await a1.page.click(key);
  const sid = await phone.sid();
  const heard = async () => (await simState(phone.page)).calls.find((c) => c.sid === sid)?.digits_heard;
  await expect.poll(heard).toBe("12#");

  // The simulator's monitor unplugs agent1's headset: the console falls back and says so.
  const monitor = await people.page("monitor");
  await monitor.page.goto("/simulator");
  await expect(monitor.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const headset = monitor.page.locator('.sim-agent[data-agent="agent1"] .sim-headset button');
  await headset.click();
  await expect(a1.page.locator("#audio-note")).toHaveText(
    "Simulated headset microphone was unplugged: using the default microphone until it is back · Simulated headset was unplugged: using the default speaker until it is back",
  );
  await expect(a1.page.locator("#speaker-select")).toHaveValue("default");
  await expect(status(a1)).toHaveText("In call with customer");
  await shot(a1.page, "sim-07-headset-unplugged");
  await expect(monitor.page.locator('.sim-agent[data-agent="agent1"]')).toHaveAttribute("data-headset", "false");
  await headset.click();
  await expect(a1.page.locator("#audio-note")).toHaveText(
    "Simulated headset microphone is back: using it again · Simulated headset is back: using it again",
  );
  await expect(a1.page.locator("#speaker-select")).toHaveValue("headset");

  // The monitor makes the network misbehave on agent1's call: the console says so in words.
  const agentCall = monitor.page.locator('.sim-call[data-status="in-progress"]', { hasText: "client:agent1" });
  const network = (event: string) => agentCall.locator(`button[data-event="${event}"]`).click();
  await network("warning");
  await expect(status(a1)).toHaveText("In call with customer · poor connection: high delay");
  await network("reconnecting");
  await expect(status(a1)).toHaveText("In call with customer · reconnecting…");
  await network("reconnected");
  await network("warning-cleared");
  await expect(status(a1)).toHaveText("In call with customer");
  await hangUp(phone);
  await expect(status(a1)).toHaveText("Connected as: agent1");
  expect([...a1.errors, ...monitor.errors]).toEqual([]);
});

test("two tabs of one agent: the call rings in the tab holding the phone only, and the other takes the phone over afterwards", async () => {
  const a1 = await agent("agent1");
  const other = await a1.context.newPage();
  const errors = collectErrors(other);
  await other.goto("/");
  await expect(other.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(other.locator("#call-status")).toHaveText("Phone open in another tab");
  const phone = await customer();
  await call(phone);
  await expect(status(a1)).toHaveText("Incoming support call");
  // The simulator rings every registered device of agent1: only one tab registered one.
  await other.waitForTimeout(500);
  await expect(other.locator("#call-status")).toHaveText("Phone open in another tab");
  await a1.page.click("#answer-call-button");
  await expect(status(a1)).toHaveText("In call with customer");
  await other.click("#take-over-button");
  await expect(other.locator("#call-status")).toHaveText("Phone open in another tab · The other tab is on a call: take the phone over once it ends");
  await hangUp(phone);
  await expect(status(a1)).toHaveText("Connected as: agent1");
  await other.click("#take-over-button");
  await expect(other.locator("#call-status")).toHaveText("Connected as: agent1");
  await expect(status(a1)).toHaveText("Phone open in another tab · Phone moved to another tab");
  expect([...a1.errors, ...errors]).toEqual([]);
});

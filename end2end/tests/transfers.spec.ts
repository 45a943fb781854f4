// Transfers as agents do them on their consoles, through real server code and the built-in
// simulator: a customer on the simulator's phone page and three agents, each in a browser of
// their own, no test doubles. Agent 1 (available first, so the longest idle) answers the
// customer; agents 2 and 3 are the colleagues. Each state is asserted on the consoles (the call's
// participants, the transfer line, which steps are enabled) and on the customer's side (what
// they hear, who is in their conference and whether they are held), and screenshotted into
// end2end/artifacts/xfer-*.png. Ring and wrap-up times are short here (support/env.ts).
import { test, expect, type Page } from "@playwright/test";
import { SIM_RING_SECS } from "../support/env";
import { Agents, expectLegs, expectPhone, expectTransferButtons, shot, type Agent } from "../support/app";
import { call, conferenceOf, customerOnHold, customerPhone, hangUp, roomOf, signedInAgent, simState, type Customer } from "../support/sim";

let people: Agents;
test.beforeEach(({ browser }) => {
  people = new Agents(browser);
});
test.afterEach(async () => {
  // Customers hang up first (their pages are in the list too), then the agents sign out.
  await people.done();
});

const PHONE_WIDTH = { width: 360, height: 780 };

const status = (a: Agent) => a.page.locator("#call-status");
const presence = (a: Agent) => a.page.locator("#presence");
const transferLine = (a: Agent) => a.page.locator("#my-transfer");
const notice = (a: Agent) => a.page.locator("#call-notice");
const hearing = (p: Customer) => p.page.locator("#phone-hearing");

type Scene = { a1: Agent; a2: Agent; a3: Agent; phone: Customer; from: string };

/** Agents 1, 2 and 3 sign in (in that order); a customer calls from `from` and agent 1 answers. */
async function agentOneOnACall(from: string, a1Viewport?: { width: number; height: number }): Promise<Scene> {
  const a1 = await signedInAgent(people, "agent1", a1Viewport);
  const a2 = await signedInAgent(people, "agent2");
  const a3 = await signedInAgent(people, "agent3");
  const phone = await customerPhone(people);
  await call(phone, from);
  await expect(status(a1)).toHaveText("Incoming support call");
  await a1.page.click("#answer-call-button");
  await expect(status(a1)).toHaveText("In call with customer");
  await expectLegs(a1.page, [`Caller ${from} · connected`, "Agent 1 · has the call · connected"]);
  await expectTransferButtons(a1.page, []);
  await talkingWith(phone, "agent1");
  return { a1, a2, a3, phone, from };
}

/** Consults `target` from the directory, with `note` typed for them first. */
async function consult(a: Agent, target: string, note = "") {
  await a.page.fill("#transfer-note", note);
  await a.page.click(`#consult-${target}-button`);
}

/** The customer is held (Twilio's flag on their leg) and hears the hold music, not the agents. */
async function heldWithMusic(phone: Customer) {
  await expect.poll(() => customerOnHold(phone), { message: "the customer is on hold" }).toBe(true);
  await expect(hearing(phone)).toHaveText(/^Play: \S+\.mp3/);
}

/** The customer is off hold and hears exactly these agents. */
async function talkingWith(phone: Customer, ...agents: string[]) {
  await expect.poll(() => customerOnHold(phone), { message: "the customer is off hold" }).toBe(false);
  await expect(hearing(phone)).toHaveText(`conference with ${agents.join(", ")}`);
}

/** `a` has no call on the console: nothing to show, nothing to do. */
async function noCall(a: Agent) {
  await expect(status(a)).toHaveText(new RegExp(`^Connected as: ${a.name}`));
  await expect(a.page.locator("#my-call-summary")).toHaveText("No call");
  await expect(a.page.locator("#my-call-legs")).toBeHidden();
  await expect(transferLine(a)).toBeEmpty();
  await expectTransferButtons(a.page, []);
  await expect(a.page.locator("#answer-call-button")).toBeDisabled();
  await expect(a.page.locator("#hangup-call-button")).toBeDisabled();
}

async function noSidewaysScrolling(page: Page) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, "no sideways scrolling").toBeLessThanOrEqual(inner);
}

function noErrors(...who: Agent[]) {
  for (const x of who) expect(x.errors, x.name).toEqual([]);
}

test("(a) consult, then complete: agent 2 gets the caller off hold and agent 1 wraps up", async () => {
  const { a1, a2, a3, phone, from } = await agentOneOnACall("+15557770001");
  const monitor = await people.page("monitor");
  await monitor.page.goto("/simulator");
  await expect(monitor.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const customerSid = await phone.sid();

  await consult(a1, "agent2", "refund for order 1234");
  // Agent 1: the caller on hold, agent 2 ringing; only Cancel makes sense until agent 2 answers.
  await expectLegs(a1.page, [`Caller ${from} · on hold`, "Agent 1 · has the call · connected", "Agent 2 · transfer target · ringing"]);
  await expect(transferLine(a1)).toHaveText("Transfer from Agent 1: Agent 2 is ringing; the caller is on hold · note: refund for order 1234");
  await expectTransferButtons(a1.page, ["cancel"]);
  await expect(a1.page.locator("#consult-agent3-button")).toBeDisabled();
  await expect(a1.page.locator("#transfer-agent3-button")).toBeDisabled();
  await expect(a1.page.locator("#transfer-queue-button")).toBeDisabled();
  await expect(status(a1)).toHaveText("In call with customer");
  // Agent 2 rings, and sees who is transferring and why; the steps are agent 1's.
  await expect(status(a2)).toHaveText("Incoming support call");
  await expect(presence(a2)).toHaveText("Ringing");
  await expect(transferLine(a2)).toHaveText("Transfer from Agent 1 to you: ringing; the caller is on hold · note: refund for order 1234");
  await expectTransferButtons(a2.page, []);
  await expect(a3.page.locator("#agent-agent2")).toContainText("Ringing");
  await expect(a3.page.locator("#agent-agent1")).toContainText("On a call");
  // The customer hears hold music.
  await heldWithMusic(phone);
  await expect.poll(() => roomOf(phone)).toEqual(["agent1", "customer (on hold)"]);
  await shot(a1.page, "xfer-a1-agent1-target-ringing");
  await shot(a2.page, "xfer-a2-agent2-ringing-with-note");
  await shot(phone.page, "xfer-a3-customer-on-hold");

  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  const consulting = [`Caller ${from} · on hold`, "Agent 1 · has the call · connected", "Agent 2 · transfer target · connected"];
  await expectLegs(a1.page, consulting);
  await expectLegs(a2.page, consulting);
  await expect(transferLine(a1)).toHaveText("Transfer from Agent 1: consulting Agent 2; the caller is on hold · note: refund for order 1234");
  await expectTransferButtons(a1.page, ["complete", "cancel", "three-way", "swap"]);
  await expect(transferLine(a2)).toHaveText("Transfer from Agent 1 to you: talking with Agent 1; the caller is on hold · note: refund for order 1234");
  await expectTransferButtons(a2.page, []);
  await expect(presence(a2)).toHaveText("On a call");
  // The agents talk; the customer stays on hold and hears neither.
  await heldWithMusic(phone);
  await expect.poll(() => roomOf(phone)).toEqual(["agent1", "agent2", "customer (on hold)"]);
  await expect(monitor.page.locator(`#sim-conferences .sim-participant[data-call-sid="${customerSid}"] .flag`)).toHaveText("on hold");
  await shot(a1.page, "xfer-a4-agent1-consulting");
  await shot(a2.page, "xfer-a5-agent2-consulting");
  await shot(monitor.page, "xfer-a6-monitor-customer-on-hold");

  await a1.page.click("#complete-transfer-button");
  // Agent 1 is out of the call and wraps up; the note typed for it is gone with it.
  await noCall(a1);
  await expect(a1.page.locator("#transfer-note")).toHaveValue("");
  await expect(presence(a1)).toHaveText(/^(Wrap-up · \d:\d\d left|Available · \d:\d\d)$/);
  // Agent 2 has the call; the customer is off hold, talking with agent 2 alone.
  await expectLegs(a2.page, [`Caller ${from} · connected`, "Agent 2 · has the call · connected"]);
  await expect(transferLine(a2)).toBeEmpty();
  await expect(status(a2)).toHaveText("In call with customer");
  await expect(presence(a2)).toHaveText("On a call");
  await talkingWith(phone, "agent2");
  await expect.poll(() => roomOf(phone)).toEqual(["agent2", "customer"]);
  await expect(monitor.page.locator(`#sim-conferences .sim-participant[data-call-sid="${customerSid}"] .flag`)).toHaveCount(0);
  // The new owner may transfer in turn.
  await expect(a2.page.locator("#consult-agent3-button")).toBeEnabled();
  await expect(a2.page.locator("#transfer-queue-button")).toBeEnabled();
  await shot(a2.page, "xfer-a7-agent2-has-the-call");
  await shot(a1.page, "xfer-a8-agent1-wrap-up");
  await shot(phone.page, "xfer-a9-customer-with-agent2");
  await hangUp(phone);
  const recent = a2.page.locator("#recent-calls .recent-call").first();
  await expect(recent).toContainText("agent1 consults agent2 (note: refund for order 1234); customer on hold");
  await expect(recent).toContainText("agent2 answered the consult");
  await expect(recent).toContainText("transfer completed: agent2 has the call, agent1 left");
  noErrors(a1, a2, a3, phone, monitor);
});

test("(b) consult, then cancel: the customer is back with agent 1, off hold; cancelling while the target rings stops it", async () => {
  const { a1, a2, a3, phone, from } = await agentOneOnACall("+15557770002");
  const alone = [`Caller ${from} · connected`, "Agent 1 · has the call · connected"];

  await consult(a1, "agent2", "second opinion");
  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  await expectLegs(a1.page, [`Caller ${from} · on hold`, "Agent 1 · has the call · connected", "Agent 2 · transfer target · connected"]);
  await expectTransferButtons(a1.page, ["complete", "cancel", "three-way", "swap"]);
  await heldWithMusic(phone);

  await a1.page.click("#cancel-transfer-button");
  // Agent 2 is dropped from the call (and wraps up); the customer is back with agent 1.
  await noCall(a2);
  await expect(presence(a2)).toHaveText(/^(Wrap-up · \d:\d\d left|Available · \d:\d\d)$/);
  await expectLegs(a1.page, alone);
  await expect(transferLine(a1)).toBeEmpty();
  await expect(notice(a1)).toBeEmpty();
  await expectTransferButtons(a1.page, []);
  await expect(status(a1)).toHaveText("In call with customer");
  await talkingWith(phone, "agent1");
  await expect.poll(() => roomOf(phone)).toEqual(["agent1", "customer"]);
  await expect(a1.page.locator("#consult-agent3-button")).toBeEnabled();
  await shot(a1.page, "xfer-b1-agent1-after-cancel");
  await shot(a2.page, "xfer-b2-agent2-dropped");
  await shot(phone.page, "xfer-b3-customer-back-with-agent1");

  // Again with agent 3, cancelled while it still rings: agent 3 stops ringing, still available.
  await consult(a1, "agent3");
  await expect(status(a3)).toHaveText("Incoming support call");
  await expectLegs(a1.page, [`Caller ${from} · on hold`, "Agent 1 · has the call · connected", "Agent 3 · transfer target · ringing"]);
  await heldWithMusic(phone);
  await a1.page.click("#cancel-transfer-button");
  await noCall(a3);
  await expect(presence(a3)).toHaveText(/^Available · /);
  await expect(status(a3)).toHaveText(/^Connected as: agent3/);
  await expectLegs(a1.page, alone);
  await expectTransferButtons(a1.page, []);
  await talkingWith(phone, "agent1");
  const agent3Leg = (await simState(phone.page)).calls.filter((c) => c.to === "client:agent3").pop();
  expect(agent3Leg?.status).toBe("canceled");
  await shot(a3.page, "xfer-b4-agent3-stopped-ringing");
  await shot(a1.page, "xfer-b5-agent1-after-cancel-while-ringing");
  noErrors(a1, a2, a3, phone);
});

test("(c) a consult the target lets ring out: the customer is back with agent 1, who sees why", async () => {
  const { a1, a2, phone, from } = await agentOneOnACall("+15557770003");
  await consult(a1, "agent2", "are you there?");
  await expect(status(a2)).toHaveText("Incoming support call");
  await heldWithMusic(phone);
  await expectTransferButtons(a1.page, ["cancel"]);
  await shot(a2.page, "xfer-c1-agent2-ringing");

  // Nobody answers: after the ring timeout the simulator reports no-answer.
  await expect(notice(a1)).toHaveText("consult to agent2 failed: no answer; customer back with the agent", {
    timeout: (SIM_RING_SECS + 6) * 1000,
  });
  await expectLegs(a1.page, [`Caller ${from} · connected`, "Agent 1 · has the call · connected"]);
  await expect(transferLine(a1)).toBeEmpty();
  await expectTransferButtons(a1.page, []);
  await expect(status(a1)).toHaveText("In call with customer");
  await talkingWith(phone, "agent1");
  // Agent 2 missed it: away, so the next caller does not ring an empty desk.
  await noCall(a2);
  await expect(presence(a2)).toHaveText(/^Away — missed a call · /);
  await expect(a1.page.locator("#agent-agent2")).toContainText("Away — missed a call");
  await expect(a1.page.locator("#consult-agent2-button")).toBeDisabled();
  await expect(a1.page.locator("#consult-agent3-button")).toBeEnabled();
  // Still the same call: the note is kept for another try.
  await expect(a1.page.locator("#transfer-note")).toHaveValue("are you there?");
  await shot(a1.page, "xfer-c2-agent1-notice");
  await shot(a2.page, "xfer-c3-agent2-missed");
  await shot(phone.page, "xfer-c4-customer-back-with-agent1");
  noErrors(a1, a2, phone);
});

test("(d) a blind transfer to the queue: the customer waits again and the next available agent answers", async () => {
  const { a1, a2, a3, phone, from } = await agentOneOnACall("+15557770004");
  // Agents 2 and 3 step away: nobody is free to take the caller at once.
  for (const a of [a2, a3]) {
    await a.page.click("#away-button");
    await expect(presence(a)).toHaveText(/^Away · /);
  }
  await expect(a1.page.locator("#transfer-agent2-button")).toBeDisabled();
  await expect(a1.page.locator("#transfer-queue-button")).toBeEnabled();

  await a1.page.click("#transfer-queue-button");
  await noCall(a1);
  await expect(presence(a1)).toHaveText(/^Wrap-up · /);
  // Agent 1 takes a break (before their short wrap-up ends), so the caller does not come back.
  await a1.page.click("#away-button");
  await expect(presence(a1)).toHaveText(/^Away · /);
  for (const a of [a1, a2, a3]) await expect(a.page.locator("#queue")).toHaveText(/^1 waiting · longest \d:\d\d$/);
  // The customer is held, hears why (as from every blind transfer), then their place in the
  // queue and music; nobody else is in the room.
  await expect.poll(() => customerOnHold(phone)).toBe(true);
  await expect(phone.page.locator("#phone-heard")).toContainText("Please hold while we transfer your call.");
  await expect(phone.page.locator("#phone-heard")).toContainText("You are caller number 1.", { timeout: 15_000 });
  await expect.poll(() => roomOf(phone)).toEqual(["customer (on hold)"]);
  await expect(phone.page.locator("#phone-status")).toHaveText(/in call/i);
  await shot(a1.page, "xfer-d1-agent1-after-transfer-to-queue");
  await shot(phone.page, "xfer-d2-customer-waiting-again");

  // Agent 2 comes back: the caller is offered to them (agent 3 is still away).
  await a2.page.click("#available-button");
  await expect(status(a2)).toHaveText("Incoming support call");
  await expect(a2.page.locator("#my-call-summary")).toHaveText(new RegExp(`^Caller \\${from} · ringing \\d:\\d\\d · waiting \\d:\\d\\d$`));
  await expect(status(a3)).toHaveText("Connected as: agent3");
  await shot(a2.page, "xfer-d3-agent2-offered");
  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  await expectLegs(a2.page, [`Caller ${from} · connected`, "Agent 2 · has the call · connected"]);
  await expectTransferButtons(a2.page, []);
  await talkingWith(phone, "agent2");
  for (const a of [a1, a2, a3]) await expect(a.page.locator("#queue")).toHaveText("No one waiting");
  await shot(a2.page, "xfer-d4-agent2-answered");
  await shot(phone.page, "xfer-d5-customer-with-agent2");
  await hangUp(phone);
  await expect(a2.page.locator("#recent-calls .recent-call").first()).toContainText("agent1 transferred the call to");
  noErrors(a1, a2, a3, phone);
});

test("(e1) the customer hanging up while the target rings: it stops ringing, neither console shows a call, both show why", async () => {
  const { a1, a2, phone, from } = await agentOneOnACall("+15557770005");
  await consult(a1, "agent2");
  await expect(status(a2)).toHaveText("Incoming support call");
  await heldWithMusic(phone);

  await hangUp(phone);
  await noCall(a1);
  await noCall(a2);
  // Not agent 2's fault: available again at once. Agent 1 wraps up.
  await expect(presence(a2)).toHaveText(/^Available · /);
  await expect(presence(a1)).toHaveText(/^(Wrap-up · \d:\d\d left|Available · \d:\d\d)$/);
  const agent2Leg = (await simState(phone.page)).calls.filter((c) => c.to === "client:agent2").pop();
  expect(agent2Leg?.status).toBe("canceled");
  // Agent 2 sees what happened on that call, as agent 1 does: the customer hung up.
  await expectPhone(a2.page, "Connected as: agent2 · Call stopped ringing");
  for (const a of [a1, a2]) {
    const last = a.page.locator("#recent-calls .recent-call").first();
    await expect(last.locator(".recent-caller")).toHaveText(`Caller ${from}`);
    await expect(last.locator(".timeline")).toContainText("agent2 stopped ringing: the caller left");
    await expect(last.locator(".timeline")).toContainText("customer hung up");
  }
  await expect.poll(() => conferenceOf(phone)).toMatch(/^completed:/);
  await shot(a1.page, "xfer-e1-agent1-customer-gone");
  await shot(a2.page, "xfer-e2-agent2-stopped-ringing");
  noErrors(a1, a2, phone);
});

test("(e2) the customer hanging up during the consult: both agents' consoles show no call", async () => {
  const { a1, a2, phone } = await agentOneOnACall("+15557770006");
  await consult(a1, "agent2");
  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  await expectTransferButtons(a1.page, ["complete", "cancel", "three-way", "swap"]);
  await heldWithMusic(phone);

  await hangUp(phone);
  await noCall(a1);
  await noCall(a2);
  for (const a of [a1, a2]) await expect(presence(a)).toHaveText(/^(Wrap-up · \d:\d\d left|Available · \d:\d\d)$/);
  await expect.poll(() => conferenceOf(phone)).toMatch(/^completed:/);
  await expect(a2.page.locator("#recent-calls .recent-call").first()).toContainText("customer hung up");
  await shot(a1.page, "xfer-e3-agent1-after-hang-up-mid-consult");
  await shot(a2.page, "xfer-e4-agent2-after-hang-up-mid-consult");
  noErrors(a1, a2, phone);
});

test("(f) swap, three-way, then leave, with agent 1 on a phone-width screen", async () => {
  const { a1, a2, phone, from } = await agentOneOnACall("+15557770007", PHONE_WIDTH);
  await consult(a1, "agent2", "VIP");
  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  await expectTransferButtons(a1.page, ["complete", "cancel", "three-way", "swap"]);
  await heldWithMusic(phone);
  await noSidewaysScrolling(a1.page);
  await shot(a1.page, "xfer-f1-agent1-consulting-phone-width");

  // Swap: agent 1 talks with the customer, agent 2 waits on hold.
  await a1.page.click("#swap-button");
  await expectLegs(a1.page, [`Caller ${from} · connected`, "Agent 1 · has the call · connected", "Agent 2 · transfer target · on hold"]);
  await expect(transferLine(a1)).toHaveText("Transfer from Agent 1: talking with the caller; Agent 2 is on hold · note: VIP");
  await expect(transferLine(a2)).toHaveText("Transfer from Agent 1 to you: you are on hold; Agent 1 is talking with the caller · note: VIP");
  await expectTransferButtons(a1.page, ["complete", "cancel", "three-way", "swap"]);
  await talkingWith(phone, "agent1");
  await expect.poll(() => roomOf(phone)).toEqual(["agent1", "agent2 (on hold)", "customer"]);
  await shot(a1.page, "xfer-f2-agent1-swapped-phone-width");
  await shot(phone.page, "xfer-f3-customer-after-swap");

  // Three-way: everyone talks.
  await a1.page.click("#three-way-button");
  await expectLegs(a1.page, [`Caller ${from} · connected`, "Agent 1 · has the call · connected", "Agent 2 · transfer target · connected"]);
  await expect(transferLine(a1)).toHaveText("Transfer from Agent 1: three-way with Agent 2 · note: VIP");
  await expect(transferLine(a2)).toHaveText("Transfer from Agent 1 to you: three-way with Agent 1 and the caller · note: VIP");
  await expectTransferButtons(a1.page, ["complete", "cancel", "leave"]);
  await talkingWith(phone, "agent1", "agent2");
  await expect.poll(() => roomOf(phone)).toEqual(["agent1", "agent2", "customer"]);
  await noSidewaysScrolling(a1.page);
  await shot(a1.page, "xfer-f4-agent1-three-way-phone-width");
  await shot(a2.page, "xfer-f5-agent2-three-way");
  await shot(phone.page, "xfer-f6-customer-three-way");

  // Agent 1 leaves: agent 2 has the call with the customer.
  await a1.page.click("#leave-button");
  await noCall(a1);
  await expectLegs(a2.page, [`Caller ${from} · connected`, "Agent 2 · has the call · connected"]);
  await expect(transferLine(a2)).toBeEmpty();
  await talkingWith(phone, "agent2");
  await expect.poll(() => roomOf(phone)).toEqual(["agent2", "customer"]);
  await noSidewaysScrolling(a1.page);
  await shot(a1.page, "xfer-f7-agent1-left-phone-width");
  await shot(a2.page, "xfer-f8-agent2-has-the-call");
  noErrors(a1, a2, phone);
});

test("(g) numbers outside: a busy number fails the consult in plain words; one that answers takes the call", async () => {
  const { a1, phone, from } = await agentOneOnACall("+15557770008");
  // Not a number: nothing to ring.
  await a1.page.fill("#transfer-number", "");
  await expect(a1.page.locator("#consult-number-button")).toBeDisabled();
  await expect(a1.page.locator("#transfer-number-button")).toBeDisabled();

  // The simulator's busy number.
  await a1.page.fill("#transfer-number", "+15005550010");
  await a1.page.click("#consult-number-button");
  await expect(notice(a1)).toHaveText("consult to +15005550010 failed: busy; customer back with the agent");
  await expectLegs(a1.page, [`Caller ${from} · connected`, "Agent 1 · has the call · connected"]);
  await expectTransferButtons(a1.page, []);
  await talkingWith(phone, "agent1");
  await shot(a1.page, "xfer-g1-agent1-busy-number");

  // A number that answers by itself: consulted, then handed the call.
  await a1.page.fill("#transfer-number", "+15557654321");
  await a1.page.click("#consult-number-button");
  await expectLegs(a1.page, [`Caller ${from} · on hold`, "Agent 1 · has the call · connected", "+15557654321 · transfer target · connected"]);
  await expect(notice(a1)).toBeEmpty();
  await expectTransferButtons(a1.page, ["complete", "cancel", "three-way", "swap"]);
  await heldWithMusic(phone);
  await shot(a1.page, "xfer-g2-agent1-consulting-a-number");
  await a1.page.click("#complete-transfer-button");
  await noCall(a1);
  await talkingWith(phone, "+15557654321");
  await expect.poll(() => roomOf(phone)).toEqual(["+15557654321", "customer"]);
  await shot(phone.page, "xfer-g3-customer-with-the-number");
  noErrors(a1, phone);
});

test("(h) the target hanging up during the consult: the customer is back with agent 1, who is told", async () => {
  const { a1, a2, phone, from } = await agentOneOnACall("+15557770009");
  await consult(a1, "agent2");
  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  await heldWithMusic(phone);

  await a2.page.click("#hangup-call-button");
  await noCall(a2);
  await expect(presence(a2)).toHaveText(/^(Wrap-up · \d:\d\d left|Available · \d:\d\d)$/);
  await expect(notice(a1)).toHaveText("agent2 hung up; customer back with the agent");
  await expectLegs(a1.page, [`Caller ${from} · connected`, "Agent 1 · has the call · connected"]);
  await expectTransferButtons(a1.page, []);
  await talkingWith(phone, "agent1");
  await shot(a1.page, "xfer-h1-agent1-target-hung-up");
  noErrors(a1, a2, phone);
});

test("(i) agent 1 hanging up while the target rings: the customer waits on hold for agent 2, who is told who sent the call", async () => {
  const { a1, a2, phone, from } = await agentOneOnACall("+15557770010");
  await consult(a1, "agent2", "wants a callback");
  await expect(status(a2)).toHaveText("Incoming support call");

  await a1.page.click("#hangup-call-button");
  await noCall(a1);
  // The customer stays on hold with music, never alone in silence, while agent 2 still rings.
  await heldWithMusic(phone);
  await expect(status(a2)).toHaveText("Incoming support call");
  await expect(transferLine(a2)).toHaveText("Transferred by Agent 1");
  await expect(a2.page.locator("#my-call-summary")).toHaveText(new RegExp(`^Caller \\${from} · ringing `));
  await shot(a2.page, "xfer-i1-agent2-ringing-transferred-by-agent1");
  await a2.page.click("#answer-call-button");
  await expect(status(a2)).toHaveText("In call with customer");
  await expectLegs(a2.page, [`Caller ${from} · connected`, "Agent 2 · has the call · connected"]);
  await talkingWith(phone, "agent2");
  await expect.poll(() => roomOf(phone)).toEqual(["agent2", "customer"]);
  await shot(a2.page, "xfer-i2-agent2-has-the-call");
  noErrors(a1, a2, phone);
});

test("(j) a blind transfer to agent 2: agent 1 is free at once, the customer hears why while agent 2 rings", async () => {
  const { a1, a2, phone, from } = await agentOneOnACall("+15557770011");
  await expect(a1.page.locator("#transfer-agent2-button")).toBeEnabled();
  await a1.page.click("#transfer-agent2-button");
  await noCall(a1);
  await expect(presence(a1)).toHaveText(/^(Wrap-up · \d:\d\d left|Available · \d:\d\d)$/);
  await expect(status(a2)).toHaveText("Incoming support call");
  await expect(transferLine(a2)).toHaveText("Transferred by Agent 1");
  await expect.poll(() => customerOnHold(phone)).toBe(true);
  await expect(phone.page.locator("#phone-heard")).toContainText("Please hold while we transfer your call.");
  await shot(a2.page, "xfer-j1-agent2-ringing-blind");
  await shot(phone.page, "xfer-j2-customer-being-transferred");
  await a2.page.click("#answer-call-button");
  await expectLegs(a2.page, [`Caller ${from} · connected`, "Agent 2 · has the call · connected"]);
  await expect(transferLine(a2)).toBeEmpty();
  await talkingWith(phone, "agent2");
  noErrors(a1, a2, phone);
});

test("hold with music, resume, mute and the keypad on agent 1's call", async () => {
  const { a1, phone, from } = await agentOneOnACall("+15551238800");
  await expect(a1.page.locator("#resume-button")).toBeDisabled();
  await a1.page.click("#hold-button");
  await heldWithMusic(phone);
  await expectLegs(a1.page, [`Caller ${from} · on hold`, "Agent 1 · has the call · connected"]);
  await expect(a1.page.locator("#hold-button")).toBeDisabled();
  await shot(a1.page, "xfer-k1-agent1-holds-the-customer");
  await a1.page.click("#resume-button");
  await talkingWith(phone, "agent1");
  await expectLegs(a1.page, [`Caller ${from} · connected`, "Agent 1 · has the call · connected"]);

  // Mute is the browser's; the server shows it on agent 1's leg.
  await a1.page.click("#mute-button");
  await expect(a1.page.locator("#mute-button")).toHaveText("Unmute");
  await expect(status(a1)).toHaveText("In call with customer · muted");
  await expectLegs(a1.page, [`Caller ${from} · connected`, "Agent 1 · has the call · connected · muted"]);
  await a1.page.click("#mute-button");
  await expectLegs(a1.page, [`Caller ${from} · connected`, "Agent 1 · has the call · connected"]);

  // The keypad is live during the call (digits go to the SDK's sendDigits).
  await a1.page.click("#keypad-button");
  await expect(a1.page.locator("#key-5")).toBeEnabled();
  await a1.page.click("#key-5");
  await a1.page.click("#key-hash");
  await shot(a1.page, "xfer-k2-agent1-phone-controls");
  expect(a1.errors).toEqual([]);
});

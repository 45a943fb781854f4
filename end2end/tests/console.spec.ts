// The agent console in Chromium against the real server, which talks to a local stand-in for
// Twilio's REST API; the tests play Twilio's part with signed webhooks (the caller arriving, a
// leg answered or ended, the conference ending) and the Voice SDK is a test double
// (support/twilio-double.js). The console's panels are drawn from the server's live stream.
import { test, expect, type Page } from "@playwright/test";
import {
  Agents,
  answeredCall,
  customerCalls,
  customerLeft,
  dialCount,
  dialledLeg,
  expectLegs,
  expectPhone,
  expectPresenceButtons,
  expectTransferButtons,
  legAnswered,
  legEnded,
  newCallSid,
  openConsole,
  shot,
  signIn,
} from "../support/app";
import { WRAP_UP_SECS_CONSOLE } from "../support/env";

const voice = (page: Page) => ({
  incoming: (sid: string, from = "+15551230000") =>
    page.evaluate(([CallSid, From]) => (window as any).__voice.incoming({ CallSid, From }), [sid, from]),
  cancel: () => page.evaluate(() => (window as any).__voice.lastCall().cancel()),
  remoteHangup: () => page.evaluate(() => (window as any).__voice.lastCall().remoteHangup()),
  log: (): Promise<string[]> => page.evaluate(() => (window as any).__voice.log),
});

let agents: Agents;
const customers: string[] = [];
test.beforeEach(({ browser }) => {
  agents = new Agents(browser);
});
test.afterEach(async ({ request }) => {
  // No caller stays queued and nobody stays signed in for the next test.
  for (const c of customers.splice(0)) await customerLeft(request, c);
  await agents.done();
});

function customer(): string {
  const sid = newCallSid();
  customers.push(sid);
  return sid;
}

test("a signed-out visitor gets the sign-in form, rendered on the server", async ({ page, request }) => {
  const html = await (await request.get("/")).text();
  expect(html).toContain('id="sign-in-form"');
  expect(html).not.toContain('id="call-status"');
  const res = await request.get("/api/stream");
  expect(res.status(), "the stream is for signed-in agents only").toBe(401);
  const errors = await openConsole(page);
  await shot(page, "00-sign-in");
  await page.fill("#identity", "agent1");
  await page.fill("#password", "not-the-password");
  await page.click("#sign-in-button");
  await expect(page.locator("#sign-in-error")).toHaveText("wrong agent name or password");
  expect(errors.filter((e) => !e.includes("401"))).toEqual([]);
});

test("after signing in the phone connects by itself and the agent is available", async ({ page }) => {
  const errors = await openConsole(page);
  await signIn(page, "agent1");
  await expectPhone(page, "Connected as: agent1");
  expect(await page.evaluate(() => (window as any).__voice.device.identity)).toBe("agent1");
  expect(await voice(page).log()).toEqual(["new Device", "register"]);
  await expectPresenceButtons(page, { available: false, away: true, endWrapUp: false });
  await expect(page.locator("#presence-error")).toBeEmpty();
  await expect(page.locator("#queue")).toHaveText("No one waiting");
  await expect(page.locator("#my-call-summary")).toHaveText("No call");
  // Everyone else is in the directory, by their name; nobody can be consulted or transferred
  // to without a call, and no transfer step is offered.
  await expect(page.locator("#directory li")).toHaveCount(2);
  await expect(page.locator("#agent-agent2 .agent-name")).toHaveText("Agent 2");
  await expect(page.locator("#consult-agent2-button")).toHaveAttribute("aria-label", "Consult Agent 2, the caller on hold");
  await expect(page.locator("#agent-agent2")).toContainText("Offline");
  await expect(page.locator("#agent-agent3")).toContainText("Offline");
  await expect(page.locator("#consult-agent2-button")).toBeDisabled();
  await expect(page.locator("#transfer-agent2-button")).toBeDisabled();
  await expectTransferButtons(page, []);
  await expect(page.locator("#my-call-legs")).toBeHidden();
  await expect(page.locator("#agent-agent1")).toHaveCount(0);
  // The presence ticks in the browser, from the server's clock.
  await expect(page.locator("#presence")).toHaveText(/^Available · 0:0[2-9]$/, { timeout: 10_000 });
  await shot(page, "01-available");

  // Away and back, with the keyboard.
  await page.focus("#away-button");
  await page.keyboard.press("Enter");
  await expect(page.locator("#presence")).toHaveText(/^Away · 0:0\d$/);
  await expectPresenceButtons(page, { available: true, away: false, endWrapUp: false });
  await shot(page, "02-away");
  await page.focus("#available-button");
  await page.keyboard.press("Enter");
  await expect(page.locator("#presence")).toHaveText(/^Available · 0:0\d$/);

  // The server renders the signed-in console, its phone connecting; the browser connects it.
  const html = await (await page.request.get("/")).text();
  expect(html).toContain("Connecting as agent1…");
  expect(html).toMatch(/id="answer-call-button"[^>]*disabled/);
  expect(html).not.toContain("connect-agent1-button");
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expectPhone(page, "Connected as: agent1");
  await expect(page.locator("#presence")).toHaveText(/^Available · /);

  await page.click("#sign-out-button");
  await expect(page.locator("#sign-in-form")).toBeVisible();
  expect(errors).toEqual([]);
});

test("the phone-width console fits the screen and every control is reachable", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  const errors = await openConsole(page);
  await signIn(page, "agent2");
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(widths[0], "no sideways scrolling").toBeLessThanOrEqual(widths[1]);
  await shot(page, "03-phone-width");
  await page.click("#sign-out-button");
  await expect(page.locator("#sign-in-form")).toBeVisible();
  await context.close();
  expect(errors).toEqual([]);
});

test("the longest-idle agent is offered the caller, answers, consults a colleague from the directory and hands over", async ({ request }) => {
  const a1 = await agents.console("agent1");
  const a2 = await agents.console("agent2");
  // Each sees the other become available, live.
  await expect(a1.page.locator("#agent-agent2")).toContainText("Available");
  await expect(a2.page.locator("#agent-agent1")).toContainText("Available");

  // A customer calls: agent1 has been idle longest, so agent1 rings.
  const caller = customer();
  await customerCalls(request, caller);
  const leg1 = await dialledLeg("agent1", caller);
  expect(await dialCount("agent2", caller)).toBe(0);
  await expect(a1.page.locator("#presence")).toHaveText("Ringing");
  await expect(a1.page.locator("#my-call-summary")).toHaveText(/^Caller \+15551230000 · ringing \d:\d\d · waiting \d:\d\d$/);
  await expectLegs(a1.page, ["Caller +15551230000 · waiting", "Agent 1 · has the call · ringing"]);
  await expect(a2.page.locator("#agent-agent1")).toContainText("Ringing");
  await expect(a2.page.locator("#queue")).toHaveText("No one waiting");
  await expectPresenceButtons(a1.page, { available: false, away: false, endWrapUp: false });
  // Nothing to transfer before the call is answered.
  await expect(a1.page.locator("#consult-agent2-button")).toBeDisabled();

  await voice(a1.page).incoming(leg1.sid);
  await expectPhone(a1.page, "Incoming support call", { answer: true });
  await shot(a1.page, "04-ringing");
  await a1.page.click("#answer-call-button");
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  await legAnswered(request, leg1);
  await expect(a1.page.locator("#presence")).toHaveText("On a call");
  await expect(a1.page.locator("#my-call-summary")).toHaveText(/^Caller \+15551230000 · connected \d:\d\d · waited \d:\d\d$/);
  await expectLegs(a1.page, ["Caller +15551230000 · connected", "Agent 1 · has the call · connected"]);
  await expect(a1.page.locator("#my-transfer")).toBeEmpty();
  await expect(a2.page.locator("#agent-agent1")).toContainText("On a call");
  // Only an available colleague can be consulted or transferred to; no transfer step yet.
  await expect(a1.page.locator("#consult-agent2-button")).toBeEnabled();
  await expect(a1.page.locator("#transfer-agent2-button")).toBeEnabled();
  await expect(a1.page.locator("#consult-agent3-button")).toBeDisabled();
  await expect(a1.page.locator("#transfer-agent3-button")).toBeDisabled();
  await expect(a1.page.locator("#transfer-queue-button")).toBeEnabled();
  await expectTransferButtons(a1.page, []);
  await shot(a1.page, "05-in-call");

  // Consult agent 2 with a note: the caller goes on hold while agent 2 rings.
  await a1.page.fill("#transfer-note", "billing question");
  await a1.page.click("#consult-agent2-button");
  const leg2 = await dialledLeg("agent2", caller);
  expect(leg2.leg).toBeGreaterThan(leg1.leg);
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  await expectLegs(a1.page, ["Caller +15551230000 · on hold", "Agent 1 · has the call · connected", "Agent 2 · transfer target · ringing"]);
  await expect(a1.page.locator("#my-transfer")).toHaveText("Transfer from Agent 1: Agent 2 is ringing; the caller is on hold · note: billing question");
  await expect(a1.page.locator("#agent-agent2")).toContainText("Ringing");
  await expect(a1.page.locator("#consult-agent2-button")).toBeDisabled();
  await expectTransferButtons(a1.page, ["cancel"]);
  await expect(a2.page.locator("#presence")).toHaveText("Ringing");
  // The target sees who is transferring and the note while it rings, and acts on nothing.
  await expect(a2.page.locator("#my-transfer")).toHaveText("Transfer from Agent 1 to you: ringing; the caller is on hold · note: billing question");

  // Agent 2 answers with the keyboard: the agents talk, the caller stays on hold.
  await voice(a2.page).incoming(leg2.sid);
  await expectPhone(a2.page, "Incoming support call", { answer: true });
  await a2.page.focus("#answer-call-button");
  await a2.page.keyboard.press("Enter");
  await expectPhone(a2.page, "In call with customer", { hangup: true });
  await legAnswered(request, leg2);
  await expectLegs(a1.page, ["Caller +15551230000 · on hold", "Agent 1 · has the call · connected", "Agent 2 · transfer target · connected"]);
  await expect(a1.page.locator("#my-transfer")).toHaveText("Transfer from Agent 1: consulting Agent 2; the caller is on hold · note: billing question");
  await expectTransferButtons(a1.page, ["complete", "cancel", "three-way", "swap"]);
  await expect(a2.page.locator("#presence")).toHaveText("On a call");
  await expect(a2.page.locator("#my-call-legs")).toContainText("Agent 1 · has the call · connected");
  await expect(a2.page.locator("#my-transfer")).toHaveText("Transfer from Agent 1 to you: talking with Agent 1; the caller is on hold · note: billing question");
  await expectTransferButtons(a2.page, []);
  await shot(a1.page, "06-consulting");

  // Agent 1 hands over by hanging up: that completes the transfer; agent 2 has the call.
  await a1.page.click("#hangup-call-button");
  await expectPhone(a1.page, "Connected as: agent1");
  expect(await voice(a1.page).log()).toContain("disconnect");
  await legEnded(request, leg1, "completed");
  await expect(a1.page.locator("#presence")).toHaveText(new RegExp(`^Wrap-up · 0:(${WRAP_UP_SECS_CONSOLE}|[0-9]{1,2}) left$`));
  await expectPresenceButtons(a1.page, { available: false, away: true, endWrapUp: true });
  await expect(a1.page.locator("#my-call-summary")).toHaveText("No call");
  await expect(a1.page.locator("#my-call-legs")).toBeHidden();
  await expectTransferButtons(a1.page, []);
  await expectLegs(a2.page, ["Caller +15551230000 · connected", "Agent 2 · has the call · connected"]);
  await expect(a2.page.locator("#my-transfer")).toBeEmpty();
  await expect(a2.page.locator("#agent-agent1")).toContainText("Wrap-up");
  await expect(a2.page.locator("#consult-agent1-button")).toBeDisabled();
  await shot(a1.page, "07-wrap-up");
  await a1.page.click("#end-wrap-up-button");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);
  // The new owner may transfer in turn: agent 1 is available again.
  await expect(a2.page.locator("#consult-agent1-button")).toBeEnabled();

  // The customer hangs up: the conference ends, agent 2 wraps up and sees the call's story.
  await customerLeft(request, caller);
  await voice(a2.page).remoteHangup();
  await expectPhone(a2.page, "Connected as: agent2");
  await expect(a2.page.locator("#presence")).toHaveText(/^Wrap-up · /);
  const recent = a2.page.locator("#recent-calls .recent-call").first();
  await expect(recent).toContainText("Caller +15551230000");
  await expect(recent).toContainText("answered by agent1");
  await expect(recent).toContainText("agent1 consults agent2 (note: billing question); customer on hold");
  await expect(recent).toContainText("agent2 answered the consult");
  await expect(recent).toContainText("transfer completed: agent2 has the call, agent1 left");
  await expect(recent).toContainText("customer hung up");
  await expect(a1.page.locator("#recent-calls .recent-call").first()).toContainText("answered by agent1");
  await shot(a2.page, "08-recent-calls");
  for (const a of [a1, a2]) expect(a.errors).toEqual([]);
});

test("an offer that rings out sets the agent away and the next agent rings", async ({ request }) => {
  const a1 = await agents.console("agent1");
  const a2 = await agents.console("agent2");
  const caller = customer();
  await customerCalls(request, caller, "+15557654321");
  const leg1 = await dialledLeg("agent1", caller);
  await voice(a1.page).incoming(leg1.sid, "+15557654321");
  await expectPhone(a1.page, "Incoming support call", { answer: true });

  // Twilio gives up on agent 1 and stops their browser ringing.
  await legEnded(request, leg1, "no-answer");
  await voice(a1.page).cancel();
  await expect(a1.page.locator("#presence")).toHaveText(/^Away — missed a call · 0:0\d$/);
  await expectPresenceButtons(a1.page, { available: true, away: true, endWrapUp: false });
  await expectPhone(a1.page, /^Connected as: agent1 · /);
  // The caller goes to the next agent at once.
  const leg2 = await dialledLeg("agent2", caller);
  await expect(a2.page.locator("#presence")).toHaveText("Ringing");
  await expect(a1.page.locator("#agent-agent2")).toContainText("Ringing");
  await expect(a1.page.locator("#queue")).toHaveText("No one waiting");
  await shot(a1.page, "09-missed-call");

  // Agent 2 declines too: agent 2 is away, and the caller waits in the queue for someone.
  await voice(a2.page).incoming(leg2.sid, "+15557654321");
  await legEnded(request, leg2, "busy");
  await expect(a2.page.locator("#presence")).toHaveText(/^Away — missed a call/);
  await expect(a1.page.locator("#queue")).toHaveText(/^1 waiting · longest \d:\d\d$/);
  await expect(a2.page.locator("#queue")).toHaveText(/^1 waiting · longest \d:\d\d$/);
  await shot(a2.page, "10-queue");

  // Agent 1 is back: the waiting caller is offered to them again.
  await a1.page.click("#available-button");
  await dialledLeg("agent1", caller, 2);
  await expect(a1.page.locator("#presence")).toHaveText("Ringing");
  await expect(a2.page.locator("#queue")).toHaveText("No one waiting");
  for (const a of [a1, a2]) expect(a.errors).toEqual([]);
});

test("the caller hanging up before the agent answers is reported and the agent is free again", async ({ request }) => {
  const a1 = await agents.console("agent1");
  const caller = customer();
  await customerCalls(request, caller);
  const leg = await dialledLeg("agent1", caller);
  await voice(a1.page).incoming(leg.sid);
  await expectPhone(a1.page, "Incoming support call", { answer: true });
  await customerLeft(request, caller);
  await voice(a1.page).cancel();
  await expectPhone(a1.page, "Connected as: agent1 · Call stopped ringing");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);
  await expect(a1.page.locator("#recent-calls .recent-call").first()).toContainText("customer hung up");
  await shot(a1.page, "11-cancelled");
  expect(a1.errors).toEqual([]);
});

test("a registration error is shown and Reconnect phone brings the phone back", async () => {
  const a1 = await agents.page("agent1");
  a1.errors = await openConsole(a1.page);
  await a1.page.evaluate(() => ((window as any).__voice.failRegister = { code: 31205, message: "JWT token is expired" }));
  await a1.page.fill("#identity", "agent1");
  await a1.page.fill("#password", "e2e-password-agent1");
  await a1.page.click("#sign-in-button");
  await expectPhone(a1.page, "ERROR: the access token expired", { reconnect: true });
  // With no phone the agent is not made available.
  await expect(a1.page.locator("#presence")).toHaveText("Offline");
  await expectPresenceButtons(a1.page, { available: false, away: true, endWrapUp: false });
  await shot(a1.page, "12-error");
  await a1.page.evaluate(() => ((window as any).__voice.failRegister = null));
  await a1.page.click("#reconnect-phone-button");
  await expectPhone(a1.page, "Connected as: agent1");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);
  expect(a1.errors).toEqual([]);
});

test("a refused presence change says why", async ({ request }) => {
  const a1 = await agents.console("agent1");
  const caller = customer();
  const leg = await answeredCall(request, a1.page, "agent1", caller);
  await expect(a1.page.locator("#presence")).toHaveText("On a call");
  // A reload mid-call connects the phone again and announces the agent: the server says no.
  await a1.page.reload();
  await expect(a1.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expectPhone(a1.page, "Connected as: agent1");
  await expect(a1.page.locator("#presence-error")).toHaveText("you are on a call");
  await expect(a1.page.locator("#presence")).toHaveText("On a call");
  await shot(a1.page, "13-refused");
  await legEnded(request, leg, "completed");
  await expect(a1.page.locator("#presence")).toHaveText(/^Wrap-up · /);
});

test("an expiring token is refreshed mid-call without dropping the call", async ({ request }) => {
  const a1 = await agents.console("agent1");
  const caller = customer();
  await customerCalls(request, caller);
  const leg = await dialledLeg("agent1", caller);
  await voice(a1.page).incoming(leg.sid);
  await a1.page.click("#answer-call-button");
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  await a1.page.evaluate(() => (window as any).__voice.device.emit("tokenWillExpire"));
  await expect.poll(async () => (await voice(a1.page).log()).filter((l) => l === "updateToken").length).toBe(1);
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  // An SDK error mid-call is shown but does not end the call.
  await a1.page.evaluate(() => (window as any).__voice.lastCall().emit("error", { code: 31005, message: "Connection error" }));
  await expectPhone(a1.page, /^In call with customer · .*the connection to Twilio was lost/, { hangup: true });
  await shot(a1.page, "14-error-in-call");
  expect(a1.errors).toEqual([]);
});

test("losing the server shows reconnecting and the console catches up when it is back", async () => {
  const a1 = await agents.console("agent1");
  const a2 = await agents.console("agent2");
  // Agent 1's stream answers once and ends (as when the server goes away), then cannot be
  // reached at all until the route is lifted.
  let served = false;
  await a1.page.route("**/api/stream", async (route) => {
    if (served) return route.abort("connectionrefused");
    served = true;
    await route.fulfill({ status: 200, contentType: "text/event-stream", body: "retry: 500\n\n" });
  });
  await a1.page.reload();
  await expect(a1.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(a1.page.locator("#live-status")).toHaveText("Connection to the server lost: reconnecting…");
  await shot(a1.page, "15-reconnecting");
  // Meanwhile agent 2 goes away; agent 1's console learns of it once back.
  await a2.page.click("#away-button");
  await expect(a2.page.locator("#presence")).toHaveText(/^Away · /);
  await a1.page.unroute("**/api/stream");
  await expect(a1.page.locator("#live-status")).toBeHidden({ timeout: 15_000 });
  await expect(a1.page.locator("#agent-agent2")).toContainText("Away");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);
  expect(a2.errors).toEqual([]);
});

test("call quality, reconnecting, mute and the keypad show on the phone; leaving mid-call asks first", async ({ request }) => {
  const a1 = await agents.console("agent1");
  const caller = customer();
  const leg = await answeredCall(request, a1.page, "agent1", caller);
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  // The SDK's warnings, in plain words while they last.
  const emit = (ev: string, arg?: unknown) => a1.page.evaluate(([e, a]) => (window as any).__voice.lastCall().emit(e, a), [ev, arg] as const);
  await emit("warning", "high-rtt");
  await expectPhone(a1.page, "In call with customer · poor connection: high delay", { hangup: true });
  await emit("reconnecting", { code: 53405, message: "Media connection failed" });
  await expectPhone(a1.page, "In call with customer · reconnecting…", { hangup: true });
  await shot(a1.page, "16-reconnecting");
  await emit("reconnected");
  await emit("warning-cleared", "high-rtt");
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  // Mute is the SDK's; the keypad plays digits on the call.
  await a1.page.click("#mute-button");
  await expectPhone(a1.page, "In call with customer · muted", { hangup: true });
  // The keypad opens when asked for, as softphones have it, and only during a call.
  await expect(a1.page.locator("#keypad")).toBeHidden();
  await a1.page.click("#keypad-button");
  await expect(a1.page.locator("#keypad-button")).toHaveAttribute("aria-expanded", "true");
  await expect(a1.page.locator("#keypad")).toBeVisible();
  await a1.page.click("#key-4");
  await a1.page.click("#key-star");
  await expect.poll(() => voice(a1.page).log()).toEqual(expect.arrayContaining(["mute", "digits 4", "digits *"]));
  await expect(a1.page.locator("#my-call-legs")).toContainText("Agent 1 · has the call · connected · muted");
  // Closing the page mid-call: the browser asks first.
  let asked = false;
  a1.page.on("dialog", async (d) => {
    asked = d.type() === "beforeunload";
    await d.dismiss();
  });
  await a1.page.close({ runBeforeUnload: true });
  await expect.poll(() => asked).toBe(true);
  // Dismissed: still here, still on the call. The call ends as usual.
  await expectPhone(a1.page, "In call with customer · muted", { hangup: true });
  await a1.page.click("#hangup-call-button");
  await legEnded(request, leg, "completed");
  await expect(a1.page.locator("#presence")).toHaveText(/^Wrap-up · /);
  expect(a1.errors).toEqual([]);
});

test("the signalling connection dropping: reconnecting in words, available again by itself, a call kept or left as the server says", async ({ request }) => {
  const a1 = await agents.console("agent1");
  const signal = (what: "dropSignal" | "signalBack") => a1.page.evaluate((w) => (window as any).__voice[w](), what);
  // Idle: the device is kept while the SDK reconnects; the server knows the agent offline.
  await signal("dropSignal");
  await expectPhone(a1.page, "Reconnecting to Twilio… · no calls until it is back");
  await expect(a1.page.locator("#presence")).toHaveText(/^Offline/);
  await shot(a1.page, "17-reconnecting-to-twilio");
  await signal("signalBack");
  await expectPhone(a1.page, "Connected as: agent1");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);
  expect((await voice(a1.page).log()).filter((l) => l === "new Device" || l === "destroy")).toEqual(["new Device"]);
  // Mid-call: the console opted into Twilio's reconnection, so the call goes on.
  const caller = customer();
  const leg = await answeredCall(request, a1.page, "agent1", caller);
  await expect(a1.page.locator("#presence")).toHaveText(/^On a call/);
  await signal("dropSignal");
  await expectPhone(a1.page, "In call with customer · reconnecting…", { hangup: true });
  await signal("signalBack");
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  // Dropped again, and the call ends meanwhile: the server says so, the console leaves it.
  await signal("dropSignal");
  await expectPhone(a1.page, "In call with customer · reconnecting…", { hangup: true });
  await legEnded(request, leg, "completed");
  await expectPhone(a1.page, "Reconnecting to Twilio… · no calls until it is back");
  await signal("signalBack");
  await expectPhone(a1.page, "Connected as: agent1");
  expect(a1.errors).toEqual([]);
});

// The agent console with the real Twilio Voice SDK it ships (/vendor/twilio.min.js, no double),
// against the console's server (real Twilio settings, api.twilio.com played by the stand-in).
// The test plays the rest of Twilio: the signalling WebSocket, the SDK's HTTPS requests and the
// media server (a second page with a real RTCPeerConnection), as support/twilio-signal.ts
// describes; and it tells the app's webhooks what Twilio would, as console.spec.ts does.
import { test, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import {
  collectErrors,
  customerCalls,
  customerLeft,
  dialledLeg,
  expectPhone,
  legAnswered,
  legEnded,
  newCallSid,
  signIn,
  signOutAndClose,
  type Leg,
} from "../support/app";
import { env, passwordOf } from "../support/env";
import { agentAudio, expectRising, keepPeerConnections, MediaServer, TwilioSignal } from "../support/twilio-signal";

const ACCOUNT = { accountSid: env.TWILIO_ACCOUNT_SID, apiKey: env.TWILIO_API_KEY, apiSecret: env.TWILIO_API_SECRET };

type Agent = { name: string; page: Page; context: BrowserContext; twilio: TwilioSignal; errors: string[] };

let agents: Agent[] = [];
let media: MediaServer;
const customers: string[] = [];

test.beforeEach(async ({ browser }) => {
  media = await MediaServer.open(browser);
});

test.afterEach(async ({ request }) => {
  for (const c of customers.splice(0)) await customerLeft(request, c);
  for (const a of agents) await signOutAndClose(a);
  agents = [];
  await media.close();
});

function customer(): string {
  const sid = newCallSid();
  customers.push(sid);
  return sid;
}

/** An agent's browser with the real SDK, Twilio played by `twilio`; `before` runs before signing in. */
async function agentBrowser(browser: Browser, name: string, before?: (t: TwilioSignal) => void): Promise<Agent> {
  const context = await browser.newContext();
  const twilio = new TwilioSignal(ACCOUNT);
  await twilio.install(context);
  before?.(twilio);
  const page = await context.newPage();
  await page.addInitScript(keepPeerConnections);
  // Uncaught exceptions only: the SDK logs its own errors (31005 on a drop) to the console.
  const errors = collectErrors(page);
  const agent = { name, page, context, twilio, errors };
  agents.push(agent);
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  return agent;
}

/** Uncaught exceptions in the page, and requests to Twilio nobody answers for. */
const pageErrors = (a: Agent) => [...a.errors.filter((e) => e.startsWith("pageerror")), ...a.twilio.unexpected];

/** Signed in with the real SDK registered: the agent is available. */
async function signedIn(browser: Browser, name: string, before?: (t: TwilioSignal) => void): Promise<Agent> {
  const a = await agentBrowser(browser, name, before);
  await signIn(a.page, name);
  return a;
}

/** A caller arrives, the server dials the agent, Twilio puts the call through to the browser. */
async function ring(request: any, a: Agent) {
  const caller = customer();
  await customerCalls(request, caller);
  const leg = await dialledLeg(a.name, caller);
  const offer = await media.offer(leg.sid);
  const answered = a.twilio.invite(leg.sid, offer, env.TWILIO_NUMBER, `client:${a.name}`);
  await expectPhone(a.page, "Incoming support call", { answer: true });
  return { caller, leg, answered };
}

/** The agent answers: the SDK's answer goes to the media server, Twilio tells the app. */
async function answer(request: any, a: Agent, call: { leg: Leg; answered: Promise<string> }) {
  await a.page.click("#answer-call-button");
  await media.answer(call.leg.sid, await call.answered);
  await expectPhone(a.page, "In call with customer", { hangup: true });
  await legAnswered(request, call.leg);
  await expect(a.page.locator("#presence")).toHaveText(/^On a call/);
}

/** Audio flows both ways: each side receives packets, bytes and sound (not silence). */
async function expectAudioBothWays(a: Agent, sid: string) {
  await expectRising(() => media.stats(sid), ["packetsReceived", "bytesReceived", "energy"], "the far end hears the agent");
  await expectRising(() => agentAudio(a.page), ["packetsReceived", "bytesReceived", "energy"], "the agent hears the far end");
}

test("registers with the app's token, rings, answers with audio both ways, mutes, keys tones and hangs up", async ({ browser, request }) => {
  const a1 = await signedIn(browser, "agent1");
  // The token the SDK presented: signed with the API key's secret (checked by TwilioSignal),
  // for agent1, allowed to receive calls; and the console opted into call reconnection.
  const [listen] = a1.twilio.listens;
  expect(listen.claims.grants.identity).toBe("agent1");
  expect(listen.claims.grants.voice.incoming.allow).toBe(true);
  expect(listen.claims.iss).toBe(env.TWILIO_API_KEY);
  expect(listen.reconnectTimeout, "maxCallSignalingTimeoutMs reaches Twilio as reconnectTimeout").toBe(30);
  expect(a1.twilio.sent("register")).toEqual([{ media: { audio: true } }]);

  const call = await ring(request, a1);
  await answer(request, a1, call);
  const sid = call.leg.sid;
  await expectAudioBothWays(a1, sid);

  // Muted: the far end still gets packets, but no sound; unmuted, sound again.
  await a1.page.click("#mute-button");
  await expectPhone(a1.page, "In call with customer · muted", { hangup: true });
  await expect(a1.page.locator("#my-call-legs")).toContainText("Agent 1 · has the call · connected · muted");
  await a1.page.waitForTimeout(500); // what was on its way has arrived
  const before = await media.stats(sid);
  await a1.page.waitForTimeout(1_500);
  const after = await media.stats(sid);
  expect(after.packetsReceived, "packets still flow").toBeGreaterThan(before.packetsReceived);
  expect(after.energy - before.energy, "no sound while muted").toBeLessThan(1e-6);
  await a1.page.click("#mute-button");
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  await expectRising(() => media.stats(sid), ["energy"], "sound again once unmuted", 1e-6);

  // The keypad: RTP telephone-events, heard as DTMF tones at the far end.
  await a1.page.click("#keypad-button");
  await a1.page.click("#key-5");
  await expect.poll(() => media.keysHeard(sid), { message: "the far end hears 5" }).toContain("5");
  await a1.page.click("#key-9");
  await expect.poll(() => media.keysHeard(sid), { message: "the far end hears 5 then 9" }).toMatch(/5.*9/);

  // The agent hangs up: the SDK tells Twilio, Twilio tells the app.
  await a1.page.click("#hangup-call-button");
  await expectPhone(a1.page, "Connected as: agent1");
  await expect.poll(() => a1.twilio.sent("hangup").map((p) => p.callsid)).toContain(sid);
  await legEnded(request, call.leg, "completed");
  await expect(a1.page.locator("#presence")).toHaveText(/^Wrap-up · /);
  expect(pageErrors(a1)).toEqual([]);
});

test("the caller hanging up ends the call in the console; a ringing call cancelled stops ringing", async ({ browser, request }) => {
  const a1 = await signedIn(browser, "agent1");
  const call = await ring(request, a1);
  await answer(request, a1, call);
  await expectAudioBothWays(a1, call.leg.sid);
  // Twilio hangs up the agent's leg (the caller left).
  a1.twilio.hangup(call.leg.sid);
  await expectPhone(a1.page, "Connected as: agent1");
  await legEnded(request, call.leg, "completed");
  await customerLeft(request, call.caller);
  await expect(a1.page.locator("#presence")).toHaveText(/^Wrap-up · /);
  await a1.page.click("#end-wrap-up-button");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);

  // A call that stops ringing before the answer.
  const ringing = await ring(request, a1);
  await customerLeft(request, ringing.caller);
  a1.twilio.cancel(ringing.leg.sid);
  await expectPhone(a1.page, "Connected as: agent1 · Call stopped ringing");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);
  expect(pageErrors(a1)).toEqual([]);
});

test("a token about to expire is refreshed and handed to Twilio on the same socket", async ({ browser }) => {
  // Twilio says the token has 12 s left: the SDK warns 10 s before (tokenRefreshMs).
  const a1 = await signedIn(browser, "agent1", (t) => (t.nextTtl = 12));
  await expect.poll(() => a1.twilio.listens.length, { message: "a second listen with a fresh token", timeout: 15_000 }).toBe(2);
  const [first, second] = a1.twilio.listens;
  expect(second.token).not.toBe(first.token);
  expect(second.claims.grants.identity).toBe("agent1");
  expect(second.claims.exp).toBeGreaterThan(first.claims.exp);
  expect(a1.twilio.opened, "updateToken, not a new socket").toBe(1);
  await expectPhone(a1.page, "Connected as: agent1");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);
  expect(pageErrors(a1)).toEqual([]);
});

test("a token Twilio refuses is said in words, and Reconnect phone connects once it is taken", async ({ browser }) => {
  const a1 = await agentBrowser(browser, "agent1", (t) => (t.refuseTokens = true));
  await a1.page.fill("#identity", "agent1");
  await a1.page.fill("#password", passwordOf("agent1"));
  await a1.page.click("#sign-in-button");
  await expectPhone(a1.page, "ERROR: the access token is not valid", { reconnect: true });
  await expect(a1.page.locator("#presence")).toHaveText(/^Offline/);
  a1.twilio.refuseTokens = false;
  await a1.page.click("#reconnect-phone-button");
  await expectPhone(a1.page, "Connected as: agent1");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);
  expect(pageErrors(a1)).toEqual([]);
});

test("the socket dropping while idle: the console says it is reconnecting and is available again by itself", async ({ browser }) => {
  const a1 = await signedIn(browser, "agent1");
  const a2 = await signedIn(browser, "agent2");
  a1.twilio.drop({ down: true });
  await expectPhone(a1.page, /^Reconnecting to Twilio…/);
  // The server knows: no caller is offered to a phone that cannot ring.
  await expect(a1.page.locator("#presence")).toHaveText(/^Offline/);
  await expect(a2.page.locator("#agent-agent1")).toContainText("Offline");
  await a1.page.waitForTimeout(1_500);
  await expectPhone(a1.page, /^Reconnecting to Twilio…/);
  // The network is back: the SDK reconnects and registers by itself; nobody clicks anything.
  a1.twilio.down = false;
  await expectPhone(a1.page, "Connected as: agent1", {});
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /, { timeout: 15_000 });
  await expect(a2.page.locator("#agent-agent1")).toContainText("Available");
  expect(a1.twilio.sent("register").length).toBeGreaterThanOrEqual(2);
  expect(pageErrors(a1)).toEqual([]);
});

test("the socket dropping mid-call: Twilio reconnects the call, which goes on with its audio", async ({ browser, request }) => {
  const a1 = await signedIn(browser, "agent1");
  const call = await ring(request, a1);
  await answer(request, a1, call);
  const sid = call.leg.sid;
  await expectAudioBothWays(a1, sid);
  a1.twilio.drop({ down: true });
  await expectPhone(a1.page, "In call with customer · reconnecting…", { hangup: true });
  await a1.page.waitForTimeout(1_500);
  a1.twilio.down = false;
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  // The SDK asked Twilio to reconnect this call with the token Twilio gave it.
  expect(a1.twilio.sent("invite").filter((p) => p.callsid === sid && p.reconnect).length).toBe(1);
  await expectAudioBothWays(a1, sid);
  await expect(a1.page.locator("#presence")).toHaveText(/^On a call/);
  await a1.page.click("#hangup-call-button");
  await expect.poll(() => a1.twilio.sent("hangup").map((p) => p.callsid)).toContain(sid);
  await legEnded(request, call.leg, "completed");
  await expect(a1.page.locator("#presence")).toHaveText(/^Wrap-up · /);
  expect(pageErrors(a1)).toEqual([]);
});

test("Twilio ending the call during a drop: the console leaves it when the server says so, and takes the next call", async ({ browser, request }) => {
  const a1 = await signedIn(browser, "agent1");
  const call = await ring(request, a1);
  await answer(request, a1, call);
  a1.twilio.drop({ down: true });
  await expectPhone(a1.page, "In call with customer · reconnecting…", { hangup: true });
  // Meanwhile the caller hangs up and Twilio tells the app (not the browser: its socket is down).
  a1.twilio.hangup(call.leg.sid);
  await legEnded(request, call.leg, "completed");
  await customerLeft(request, call.caller);
  // The console is not busy longer than the server: it leaves the call at once.
  await expect(a1.page.locator("#hangup-call-button"), "out of the call once the server says it is over").toBeDisabled({ timeout: 3_000 });
  await expectPhone(a1.page, /^Reconnecting to Twilio…/);
  a1.twilio.down = false;
  await expectPhone(a1.page, "Connected as: agent1");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /, { timeout: 15_000 });
  // The next caller rings here: not turned away as busy.
  const next = await ring(request, a1);
  await customerLeft(request, next.caller);
  a1.twilio.cancel(next.leg.sid);
  await expectPhone(a1.page, "Connected as: agent1 · Call stopped ringing");
  expect(pageErrors(a1)).toEqual([]);
});

test("a call Twilio cannot reconnect is closed by the SDK without a disconnect: the console leaves it at once", async ({ browser, request }) => {
  // Twilio gives this call no reconnect token: when the socket drops, the SDK closes the call
  // (its `transportClose`) and emits no `disconnect`.
  const a1 = await signedIn(browser, "agent1", (t) => (t.reconnectTokens = false));
  const call = await ring(request, a1);
  await answer(request, a1, call);
  a1.twilio.drop({ down: true });
  // Before the server says anything.
  await expect(a1.page.locator("#hangup-call-button")).toBeDisabled({ timeout: 2_000 });
  await expectPhone(a1.page, /^Reconnecting to Twilio…/);
  await legEnded(request, call.leg, "completed");
  a1.twilio.down = false;
  await expectPhone(a1.page, "Connected as: agent1");
  expect(pageErrors(a1)).toEqual([]);
});

// Helpers shared by the browser tests: the SDK double, signed webhooks playing Twilio's part,
// assertions on the console.
import { createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, type Browser, type BrowserContext, type Page, type APIRequestContext } from "@playwright/test";
import { AUTH_TOKEN, PUBLIC_BASE, STAND_IN_PORT, passwordOf } from "./env";

const DOUBLE = fs.readFileSync(path.join(__dirname, "twilio-double.js"), "utf8");
export const ARTIFACTS = path.join(__dirname, "..", "artifacts");

/** Collects page errors and console errors (a test ends by expecting none). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  return errors;
}

/** Opens the console with the SDK double in place of the real bundle, collecting page errors. */
export async function openConsole(page: Page): Promise<string[]> {
  const errors = collectErrors(page);
  await page.route("**/vendor/twilio.min.js", (route) => route.fulfill({ contentType: "text/javascript", body: DOUBLE }));
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  return errors;
}

/** Signs in through the form: the phone connects by itself and the agent becomes available. */
export async function signIn(page: Page, agent: string, password = passwordOf(agent)) {
  await page.fill("#identity", agent);
  await page.fill("#password", password);
  await page.click("#sign-in-button");
  await expect(page.locator("#call-status")).toHaveText(`Connected as: ${agent}`);
  await expect(page.locator("#presence")).toHaveText(/^Available · \d+:\d\d$/);
  await expect(page.locator("#live-status")).toBeHidden();
}

export type Agent = { name: string; page: Page; context: BrowserContext; errors: string[] };

/**
 * Agents in browsers of their own for one test; `done()` signs every one still signed in out
 * (the server makes them offline at once) and closes the browsers, so the next test starts with
 * nobody available.
 */
export class Agents {
  private list: Agent[] = [];
  constructor(private browser: Browser) {}

  /** A signed-in, available agent on the console with the SDK double. */
  async console(name: string): Promise<Agent> {
    const context = await this.browser.newContext();
    const page = await context.newPage();
    const agent = { name, page, context, errors: [] as string[] };
    this.list.push(agent);
    agent.errors = await openConsole(page);
    await signIn(page, name);
    return agent;
  }

  /** A browser of its own with no console opened (the simulator's pages, a custom start). */
  async page(name: string, viewport?: { width: number; height: number }): Promise<Agent> {
    const context = await this.browser.newContext(viewport ? { viewport } : {});
    const page = await context.newPage();
    const agent = { name, page, context, errors: collectErrors(page) };
    this.list.push(agent);
    return agent;
  }

  async done() {
    // Customers on the simulator's phone page hang up first, so no caller is left waiting...
    for (const a of this.list) {
      try {
        const hangUp = a.page.locator("#phone-hangup-button");
        if ((await hangUp.isVisible()) && (await hangUp.isEnabled())) {
          await hangUp.click();
          await expect(a.page.locator("#phone-status")).toHaveText(/ended/i);
        }
      } catch {
        // Best effort: the test may have failed half-way.
      }
    }
    // ...then every agent signs out (offline at once), and every browser closes.
    for (const a of this.list) await signOutAndClose(a);
    this.list = [];
  }
}

/** An agent's browser at the end of a test: signed out (offline at once) if signed in, then closed. */
export async function signOutAndClose(a: { page: Page; context: BrowserContext }) {
  try {
    if (await a.page.locator("#sign-out-button").isVisible()) {
      await a.page.click("#sign-out-button");
      await expect(a.page.locator("#sign-in-form")).toBeVisible();
    }
  } catch {
    // A page that is gone or stuck: closing its browser ends its stream anyway.
  }
  await a.context.close();
}

export type Phone = { answer?: boolean; hangup?: boolean; reconnect?: boolean };

/** Asserts the phone's status line and its buttons at once. */
export async function expectPhone(page: Page, status: string | RegExp, b: Phone = {}) {
  await expect(page.locator("#call-status")).toHaveText(status);
  const enabled = async (id: string, on: boolean) =>
    on ? expect(page.locator(id)).toBeEnabled() : expect(page.locator(id)).toBeDisabled();
  await enabled("#answer-call-button", b.answer ?? false);
  await enabled("#hangup-call-button", b.hangup ?? false);
  if (b.reconnect) {
    await expect(page.locator("#reconnect-phone-button")).toBeVisible();
    await expect(page.locator("#reconnect-phone-button")).toBeEnabled();
  } else await expect(page.locator("#reconnect-phone-button")).toBeHidden();
  // The Connect buttons are gone: the phone connects by itself.
  await expect(page.locator("[id^=connect-][id$=-button]")).toHaveCount(0);
}

/** Which presence buttons are enabled. */
export async function expectPresenceButtons(page: Page, b: { available: boolean; away: boolean; endWrapUp: boolean }) {
  for (const [id, on] of [["#available-button", b.available], ["#away-button", b.away], ["#end-wrap-up-button", b.endWrapUp]] as const) {
    if (on) await expect(page.locator(id)).toBeEnabled();
    else await expect(page.locator(id)).toBeDisabled();
  }
}

/** The call's participants on `#my-call-legs`, one per line. */
export async function expectLegs(page: Page, lines: string[]) {
  await expect(page.locator("#my-call-legs")).toHaveText(lines.join("\n"));
}

export const TRANSFER_STEPS = ["complete", "cancel", "three-way", "swap", "leave", "retry"] as const;
export const stepButton = (step: string) => (step === "complete" || step === "cancel" ? `#${step}-transfer-button` : `#${step}-button`);

export type TransferStep = (typeof TRANSFER_STEPS)[number];

/** Exactly these transfer steps are enabled on `#my-call`. */
export async function expectTransferButtons(page: Page, enabled: TransferStep[]) {
  for (const step of TRANSFER_STEPS) {
    const button = page.locator(stepButton(step));
    if (enabled.includes(step)) await expect(button, step).toBeEnabled();
    else await expect(button, step).toBeDisabled();
  }
}

export async function shot(page: Page, name: string) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Signs a webhook form as Twilio does (HMAC-SHA1 over URL + sorted name/value pairs). */
export function twilioSignature(url: string, params: Record<string, string>): string {
  const data = Object.keys(params).sort().reduce((acc, k) => acc + k + params[k], url);
  return createHmac("sha1", AUTH_TOKEN).update(data).digest("base64");
}

export async function postWebhook(request: APIRequestContext, route: string, params: Record<string, string>) {
  return request.post(route, {
    form: params,
    headers: { "x-twilio-signature": twilioSignature(PUBLIC_BASE + route, params) },
  });
}

/** A fresh, well-formed CallSid: CA + 32 hex digits. */
export function newCallSid(): string {
  return "CA" + randomBytes(16).toString("hex");
}

/** One request the stand-in received; `sid` is the call it created ("" for anything else). */
export type StandInRequest = { method: string; path: string; form: Record<string, string>; sid: string };

/** Every request `warm-transfer stand-in` received, oldest first. */
export async function standInRequests(): Promise<StandInRequest[]> {
  const res = await fetch(`http://127.0.0.1:${STAND_IN_PORT}/requests`);
  const log: { method: string; path: string; form: [string, string][]; created: string | null }[] = await res.json();
  return log.map((r) => ({ method: r.method, path: r.path, form: Object.fromEntries(r.form), sid: r.created ?? "" }));
}

/** One agent leg the server asked Twilio (the stand-in) for, and how to play Twilio's part. */
export type Leg = {
  agent: string;
  /** The leg's own CallSid, as the stand-in answered it. */
  sid: string;
  leg: number;
  /** The join URL's path and query: Twilio POSTs it once the agent answers. */
  joinRoute: string;
  /** The status callback's path: Twilio POSTs the leg's end there. */
  statusRoute: string;
};

/** Waits for the server to dial `agent` for `customer`'s call (the `nth` such dial, from 1). */
export async function dialledLeg(agent: string, customer: string, nth = 1): Promise<Leg> {
  let found: StandInRequest | undefined;
  await expect
    .poll(async () => {
      const dials = (await standInRequests()).filter(
        (r) => r.path.endsWith("/Calls.json") && r.form.To === `client:${agent}` && (r.form.Url ?? "").includes(`/conference/${customer}/`),
      );
      found = dials[nth - 1];
      return dials.length;
    }, { message: `the server dials ${agent} for ${customer}` })
    .toBeGreaterThanOrEqual(nth);
  const r = found!;
  expect(r.form.Url.startsWith(PUBLIC_BASE), r.form.Url).toBe(true);
  expect(r.form.StatusCallback.startsWith(PUBLIC_BASE), r.form.StatusCallback).toBe(true);
  const joinRoute = r.form.Url.slice(PUBLIC_BASE.length);
  const statusRoute = r.form.StatusCallback.slice(PUBLIC_BASE.length);
  const leg = Number(new URL(r.form.Url).searchParams.get("leg"));
  expect(joinRoute).toBe(`/conference/${customer}/connect/${agent}?leg=${leg}`);
  expect(statusRoute).toBe(`/twilio/legs/${customer}/${agent}/${leg}`);
  return { agent, sid: r.sid, leg, joinRoute, statusRoute };
}

/** How many times the server dialled `agent` for `customer` so far. */
export async function dialCount(agent: string, customer: string): Promise<number> {
  return (await standInRequests()).filter(
    (r) => r.path.endsWith("/Calls.json") && r.form.To === `client:${agent}` && (r.form.Url ?? "").includes(`/conference/${customer}/`),
  ).length;
}

const ACCOUNT_SID = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/** A customer calls the support number (Twilio's signed voice webhook). */
export async function customerCalls(request: APIRequestContext, customer: string, from = "+15551230000") {
  const res = await postWebhook(request, "/conference/connect/client", {
    AccountSid: ACCOUNT_SID, CallSid: customer, From: from, To: "+15005550006", CallStatus: "ringing", Direction: "inbound",
  });
  expect(res.status()).toBe(200);
  expect(await res.text()).toContain("<Conference");
}

/** Twilio reports the agent answered their leg: it fetches the join URL (signed). */
export async function legAnswered(request: APIRequestContext, leg: Leg) {
  const res = await postWebhook(request, leg.joinRoute, {
    AccountSid: ACCOUNT_SID, CallSid: leg.sid, From: "+15005550006", To: `client:${leg.agent}`, CallStatus: "in-progress", Direction: "outbound-api",
  });
  expect(res.status(), await res.text()).toBe(200);
}

/**
 * `page`'s agent takes `caller`'s call: the caller arrives, the agent's leg is dialled and rings
 * in the SDK double, the agent clicks Answer, Twilio reports the leg answered.
 */
export async function answeredCall(request: APIRequestContext, page: Page, agent: string, caller: string): Promise<Leg> {
  await customerCalls(request, caller);
  const leg = await dialledLeg(agent, caller);
  await page.evaluate((CallSid) => (window as any).__voice.incoming({ CallSid }), leg.sid);
  await page.click("#answer-call-button");
  await legAnswered(request, leg);
  return leg;
}

/** Twilio reports the leg is over (`completed`, `no-answer`, `busy`, `failed`, `canceled`). */
export async function legEnded(request: APIRequestContext, leg: Leg, status: string) {
  const res = await postWebhook(request, leg.statusRoute, {
    AccountSid: ACCOUNT_SID, CallSid: leg.sid, CallStatus: status, To: `client:${leg.agent}`, Direction: "outbound-api",
  });
  expect(res.status(), await res.text()).toBeLessThan(300);
}

/** The customer's conference ended (they hung up): Twilio's conference status callback. */
export async function customerLeft(request: APIRequestContext, customer: string) {
  const res = await postWebhook(request, "/twilio/status", {
    AccountSid: ACCOUNT_SID,
    ConferenceSid: "CF" + randomBytes(16).toString("hex"),
    FriendlyName: customer,
    StatusCallbackEvent: "conference-end",
    Reason: "Participant with endConferenceOnExit left the conference",
  });
  expect(res.status(), await res.text()).toBeLessThan(300);
}

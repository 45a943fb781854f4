// Helpers shared by the browser tests: the SDK double, signed webhooks, assertions on the console.
import { createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, type Page, type APIRequestContext } from "@playwright/test";
import { AUTH_TOKEN, PUBLIC_BASE, STAND_IN_PORT, passwordOf } from "./env";

const DOUBLE = fs.readFileSync(path.join(__dirname, "twilio-double.js"), "utf8");
export const ARTIFACTS = path.join(__dirname, "..", "artifacts");

/** Opens the console with the SDK double in place of the real bundle, collecting page errors. */
export async function openConsole(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  await page.route("**/vendor/twilio.min.js", (route) =>
    route.fulfill({ contentType: "text/javascript", body: DOUBLE }),
  );
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  return errors;
}

/** Signs in through the form and waits for the console. */
export async function signIn(page: Page, agent: string) {
  await page.fill("#identity", agent);
  await page.fill("#password", passwordOf(agent));
  await page.click("#sign-in-button");
  await expect(page.locator("#call-status")).toHaveText("Offline");
}

export type Buttons = { connect: boolean; answer: boolean; hangup: boolean; dial: boolean | "hidden" };

/** Asserts the status line and every button's state at once. */
export async function expectConsole(page: Page, status: string | RegExp, b: Buttons) {
  await expect(page.locator("#call-status")).toHaveText(status);
  const enabled = async (id: string, on: boolean) =>
    on ? expect(page.locator(id)).toBeEnabled() : expect(page.locator(id)).toBeDisabled();
  // One connect button: the signed-in agent's own (tutorial ids connect-agent1/2-button).
  await enabled("[id^=connect-][id$=-button]", b.connect);
  await enabled("#answer-call-button", b.answer);
  await enabled("#hangup-call-button", b.hangup);
  if (b.dial === "hidden") await expect(page.locator("#dial-agent2-button")).toBeHidden();
  else {
    await expect(page.locator("#dial-agent2-button")).toBeVisible();
    await enabled("#dial-agent2-button", b.dial);
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

export async function standInRequests(): Promise<{ method: string; path: string; form: Record<string, string> }[]> {
  const res = await fetch(`http://127.0.0.1:${STAND_IN_PORT}/__requests`);
  return res.json();
}

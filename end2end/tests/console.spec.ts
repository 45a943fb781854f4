// The agent console in Chromium: SSR, hydration, and every button through the tutorial's flow.
// The Voice SDK is replaced by a test double (support/twilio-double.js); the server is real.
import { test, expect } from "@playwright/test";
import { expectConsole, newCallSid, openConsole, postWebhook, shot, signIn, standInRequests } from "../support/app";

const OFFLINE = { connect: true, answer: false, hangup: false, dial: "hidden" } as const;
const READY = { connect: false, answer: false, hangup: false } as const;

test("a signed-out visitor gets the sign-in form, rendered on the server", async ({ page, request }) => {
  const html = await (await request.get("/")).text();
  expect(html).toContain('id="sign-in-form"');
  expect(html).not.toContain('id="call-status"');
  const errors = await openConsole(page);
  await shot(page, "00-sign-in");
  await page.fill("#identity", "agent1");
  await page.fill("#password", "not-the-password");
  await page.click("#sign-in-button");
  await expect(page.locator("#sign-in-error")).toHaveText("wrong agent name or password");
  expect(errors.filter((e) => !e.includes("401"))).toEqual([]);
});

test("after signing in the console is rendered offline on the server and hydrates", async ({ page }) => {
  const errors = await openConsole(page);
  await signIn(page, "agent1");
  await expect(page.locator("#connect-agent2-button")).toHaveCount(0);
  await expectConsole(page, "Offline", OFFLINE);
  // A reload renders the signed-in console on the server.
  const html = await (await page.request.get("/")).text();
  expect(html).toContain("Offline");
  expect(html).toMatch(/id="answer-call-button"[^>]*disabled/);
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expectConsole(page, "Offline", OFFLINE);
  await shot(page, "01-offline");
  await page.click("#sign-out-button");
  await expect(page.locator("#sign-in-form")).toBeVisible();
  expect(errors).toEqual([]);
});

test("agent 1 connects, answers the customer, dials agent 2 in and hangs up", async ({ page, request }) => {
  const errors = await openConsole(page);
  await signIn(page, "agent1");
  await page.click("#connect-agent1-button");
  await expectConsole(page, "Connected as: agent1", { ...READY, dial: false });
  expect(await page.evaluate(() => (window as any).__voice.device.identity)).toBe("agent1");
  await shot(page, "02-connected-agent1");

  // A customer calls: the server opens their conference and assigns agent1.
  const customer = newCallSid();
  const res = await postWebhook(request, "/conference/connect/client", { CallSid: customer, From: "+15551230000" });
  expect(res.status()).toBe(200);

  await page.evaluate(() => (window as any).__voice.incoming({ CallSid: "CA" + "1".repeat(32) }));
  await expectConsole(page, "Incoming support call", { ...READY, answer: true, dial: false });
  await shot(page, "03-incoming");

  await page.click("#answer-call-button");
  await expectConsole(page, "In call with customer", { ...READY, hangup: true, dial: true });
  await shot(page, "04-in-call");

  await page.click("#dial-agent2-button");
  await expectConsole(page, "In call with customer", { ...READY, hangup: true, dial: true });
  await expect
    .poll(async () => (await standInRequests()).filter((r) => r.form.To === "client:agent2" && r.form.Url?.includes(customer)).length)
    .toBe(1);
  await shot(page, "05-agent2-dialled");

  await page.click("#hangup-call-button");
  await expectConsole(page, "Connected as: agent1", { ...READY, dial: false });
  expect(await page.evaluate(() => (window as any).__voice.log)).toContain("disconnect");
  await shot(page, "06-after-call");
  expect(errors).toEqual([]);
});

test("agent 2 answers with the keyboard and never sees the dial button", async ({ page }) => {
  const errors = await openConsole(page);
  await signIn(page, "agent2");
  await page.focus("#connect-agent2-button");
  await page.keyboard.press("Enter");
  await expectConsole(page, "Connected as: agent2", { ...READY, dial: "hidden" });
  await page.evaluate(() => (window as any).__voice.incoming({ CallSid: "CA" + "2".repeat(32) }));
  await expectConsole(page, "Incoming support call", { ...READY, answer: true, dial: "hidden" });
  await page.focus("#answer-call-button");
  await page.keyboard.press("Enter");
  await expectConsole(page, "In call with customer", { ...READY, hangup: true, dial: "hidden" });
  await shot(page, "07-agent2-in-call");
  // The customer hangs up: the call ends by itself.
  await page.evaluate(() => (window as any).__voice.lastCall().remoteHangup());
  await expectConsole(page, "Connected as: agent2", { ...READY, dial: "hidden" });
  expect(errors).toEqual([]);
});

test("a registration error is shown and the connect buttons come back", async ({ page }) => {
  const errors = await openConsole(page);
  await signIn(page, "agent1");
  await page.evaluate(() => ((window as any).__voice.failRegister = { code: 31205, message: "JWT token is expired" }));
  await page.click("#connect-agent1-button");
  await expectConsole(page, "ERROR: JWT token is expired", OFFLINE);
  await shot(page, "08-error");
  // And the agent can try again.
  await page.evaluate(() => ((window as any).__voice.failRegister = null));
  await page.click("#connect-agent1-button");
  await expectConsole(page, "Connected as: agent1", { ...READY, dial: false });
  expect(errors).toEqual([]);
});

test("the caller hanging up before the agent answers is reported", async ({ page }) => {
  const errors = await openConsole(page);
  await signIn(page, "agent1");
  await page.click("#connect-agent1-button");
  await expectConsole(page, "Connected as: agent1", { ...READY, dial: false });
  await page.evaluate(() => (window as any).__voice.incoming({ CallSid: "CA" + "3".repeat(32) }));
  await expectConsole(page, "Incoming support call", { ...READY, answer: true, dial: false });
  await page.evaluate(() => (window as any).__voice.lastCall().cancel());
  await expectConsole(page, /^Connected as: agent1 · .*hung up/i, { ...READY, dial: false });
  await shot(page, "09-cancelled");
  expect(errors).toEqual([]);
});

test("an expiring token is refreshed mid-call without dropping the call", async ({ page }) => {
  const errors = await openConsole(page);
  await signIn(page, "agent1");
  await page.click("#connect-agent1-button");
  await expectConsole(page, "Connected as: agent1", { ...READY, dial: false });
  await page.evaluate(() => (window as any).__voice.incoming({ CallSid: "CA" + "4".repeat(32) }));
  await page.click("#answer-call-button");
  await expectConsole(page, "In call with customer", { ...READY, hangup: true, dial: true });
  await page.evaluate(() => (window as any).__voice.device.emit("tokenWillExpire"));
  await expect.poll(() => page.evaluate(() => (window as any).__voice.log.filter((l: string) => l === "updateToken").length)).toBe(1);
  await expectConsole(page, "In call with customer", { ...READY, hangup: true, dial: true });
  // An SDK error mid-call is shown but does not end the call.
  await page.evaluate(() => (window as any).__voice.lastCall().emit("error", { code: 31005, message: "Connection error" }));
  await expectConsole(page, /^In call with customer · .*Connection error/, { ...READY, hangup: true, dial: true });
  await shot(page, "10-error-in-call");
  expect(errors).toEqual([]);
});

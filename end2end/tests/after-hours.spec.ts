// When nobody can answer, through the built-in simulator (the after-hours server: callbacks
// offered after 3 s of waiting). A caller waiting on the /phone page is moved to the callback
// menu, presses 1, confirms their number and hangs up; the agent's console is offered the
// callback in its turn and answers; then the customer's /phone rings and connects. While the
// supervisor has closed the center on the floor, a caller leaves a voicemail; the agent is
// offered it on the console, takes it, plays it and marks it done. Screenshots of each step go to
// end2end/artifacts/after-hours-*.png.
import { test, expect } from "@playwright/test";
import { DEMO_PASSWORD } from "../support/env";
import { Agents, shot } from "../support/app";
import { customerPhone, supervisorOnTheFloor } from "../support/sim";

let people: Agents;
test.beforeEach(({ browser }) => {
  people = new Agents(browser);
});
test.afterEach(async () => {
  await people.done();
});

/** An agent signs in; their phone registers by itself and they are offered work at once. */
async function agentSignsIn(name: string) {
  const a = await people.page(name);
  await a.page.goto("/");
  await expect(a.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await a.page.fill("#identity", name);
  await a.page.fill("#password", DEMO_PASSWORD);
  await a.page.click("#sign-in-button");
  return a;
}

const key = (page: import("@playwright/test").Page, k: string) => page.locator(`#phone-keypad button[data-key="${k}"]`).click();

test("a waiting caller presses 1, hangs up, and is called back once an agent answers first", async () => {
  test.setTimeout(90_000);
  const phone = await customerPhone(people, "customer-callback");
  await phone.page.fill("#phone-from", "+15557770001");
  await phone.page.click("#phone-call-button");
  // Nobody is available: after a few seconds the caller is moved to the callback menu.
  await expect(phone.page.locator("#phone-heard")).toContainText("press 1 and we will call you back", { timeout: 15_000 });
  await expect(phone.page.locator("#gathering")).toBeVisible();
  await shot(phone.page, "after-hours-1-callback-offered");
  await key(phone.page, "1");
  await expect(phone.page.locator("#phone-heard")).toContainText("Press 1 to confirm");
  await key(phone.page, "1");
  await key(phone.page, "#");
  await expect(phone.page.locator("#phone-heard")).toContainText("We will call you back at 1 5 5 5 7 7 7 0 0 0 1");
  await expect(phone.page.locator("#phone-status")).toHaveText(/ended/i);
  await shot(phone.page, "after-hours-2-callback-requested");

  // An agent signs in: their console is offered the callback, as a call, and they answer first.
  const a1 = await agentSignsIn("agent1");
  await expect(a1.page.locator("#call-status")).toHaveText("Incoming support call", { timeout: 10_000 });
  await expect(a1.page.locator("#my-call-summary")).toContainText("Callback to +15557770001");
  await shot(a1.page, "after-hours-3-callback-offered-to-agent");
  await a1.page.click("#answer-call-button");
  await expect(a1.page.locator("#my-call-summary")).toContainText("calling them (attempt 1)");

  // The customer's phone (the page still holds its number) rings, from the support number.
  await expect(phone.page.locator("#incoming-call")).toBeVisible({ timeout: 10_000 });
  await shot(phone.page, "after-hours-4-customer-phone-rings");
  await phone.page.click("#answer-incoming");
  await expect(phone.page.locator("#phone-hearing")).toHaveText("conference with agent1", { timeout: 10_000 });
  await expect(a1.page.locator("#my-call-summary")).toContainText(/Callback to \+15557770001 .* connected/);
  await shot(a1.page, "after-hours-5-callback-connected");
  await phone.page.click("#phone-hangup-button");
  await expect(a1.page.locator("#presence")).toHaveText(/^Wrap-up/, { timeout: 10_000 });
  // Signed out: nothing of the next test is offered to agent1.
  await a1.page.click("#sign-out-button");
  await expect(a1.page.locator("#sign-in-button")).toBeVisible();
});

test("while closed, a caller leaves a voicemail; an agent takes it, plays it and marks it done", async () => {
  test.setTimeout(90_000);
  // The supervisor closes the center on the floor.
  const sup = await supervisorOnTheFloor(people);
  await expect(sup.page.locator("#hours-panel")).toBeVisible();
  await sup.page.fill("#close-reason", "our team meeting");
  await sup.page.click("#close-now-button");
  await expect(sup.page.locator("#hours-now")).toHaveText("closed by a supervisor: our team meeting");
  await expect(sup.page.locator("#hours-closed-by")).toHaveText("Closed by supervisor1: our team meeting");
  await shot(sup.page, "after-hours-6-closed-on-the-floor");

  const phone = await customerPhone(people, "customer-voicemail");
  await phone.page.fill("#phone-from", "+15557770002");
  await phone.page.click("#phone-call-button");
  await expect(phone.page.locator("#phone-heard")).toContainText("We are closed right now: our team meeting.");
  await expect(phone.page.locator("#recording")).toBeVisible({ timeout: 10_000 });
  await phone.page.fill("#record-text", "Hi, this is Sam, please call me back about my order.");
  await shot(phone.page, "after-hours-7-leaving-a-voicemail");
  await phone.page.click("#stop-recording");
  await expect(phone.page.locator("#phone-heard")).toContainText("Your message has been recorded");

  // The floor counts it waiting; an agent who comes available is offered it on the console.
  await expect(sup.page.locator("#tile-waiting .tile-value")).toHaveText("0 · 1 voicemail");
  await expect(sup.page.locator('#floor-queue li[data-voicemail="true"]')).toContainText("Caller +15557770002");
  const a2 = await agentSignsIn("agent2");
  await expect(a2.page.locator("#voicemail-panel")).toBeVisible({ timeout: 10_000 });
  await expect(a2.page.locator("#my-call-summary")).toContainText("Voicemail from +15557770002");
  await expect(a2.page.locator("#voicemail-transcript")).toHaveText("Hi, this is Sam, please call me back about my order.");
  await shot(a2.page, "after-hours-8-voicemail-offered");
  await a2.page.click("#take-voicemail-button");
  const audio = a2.page.locator("#voicemail-audio");
  await expect(audio).toBeVisible();
  // The message plays through the app (the recording fetched with the account's credentials).
  await expect.poll(() => audio.evaluate((el: HTMLAudioElement) => el.readyState), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  await audio.evaluate((el: HTMLAudioElement) => el.play());
  await shot(a2.page, "after-hours-9-voicemail-playing");
  await a2.page.click("#voicemail-done-button");
  await expect(a2.page.locator("#voicemail-panel")).toBeHidden();
  await expect(a2.page.locator("#presence")).toHaveText(/^Wrap-up/);
  await expect(a2.page.locator("#recent-calls .recent-call").first()).toContainText("voicemail handled by agent2");

  await sup.page.click("#reopen-button");
  await expect(sup.page.locator("#hours-now")).toHaveText("open around the clock");
});

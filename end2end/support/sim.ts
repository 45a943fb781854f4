// Helpers for the tests through the built-in simulator: customers on the simulator's `/phone`
// page, agents on their consoles (the simulated phone in place of the Voice SDK), and what the
// simulated Twilio says is going on (`/api/sim_state`).
import { expect, type Page } from "@playwright/test";
import { DEMO_PASSWORD } from "./env";
import { type Agent, type Agents } from "./app";

export type SimCall = {
  sid: string;
  from: string;
  to: string;
  status: string;
  now_hearing: string;
  hearing: string[];
  conference_sid: string | null;
  digits_sent: string;
  digits_heard: string;
};
export type SimParticipant = { call_sid: string; label: string | null; name: string; status: string; on_hold: boolean; muted: boolean; hearing: string };
export type SimConference = { sid: string; friendly_name: string; status: string; participants: SimParticipant[] };
export type SimState = { calls: SimCall[]; conferences: SimConference[]; queue: { call_sid: string }[]; agents: { id: string; presence: string }[] };

export async function simState(page: Page): Promise<SimState> {
  const res = await page.request.post("/api/sim_state");
  expect(res.ok()).toBeTruthy();
  return res.json();
}

/** A signed-in agent whose (simulated) phone registered by itself and who became available. */
export async function signedInAgent(people: Agents, name: string, viewport?: { width: number; height: number }): Promise<Agent> {
  const a = await people.page(name, viewport);
  await a.page.goto("/");
  await expect(a.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(a.page.locator("#sim-badge")).toHaveText("Simulator");
  await a.page.fill("#identity", name);
  await a.page.fill("#password", DEMO_PASSWORD);
  await a.page.click("#sign-in-button");
  await expect(a.page.locator("#call-status")).toHaveText(`Connected as: ${name}`);
  await expect(a.page.locator("#presence")).toHaveText(/^Available · /);
  return a;
}

export type Customer = Agent & { sid: () => Promise<string> };

/** A customer's phone: the simulator's `/phone` page, idle. */
export async function customerPhone(people: Agents, label = "customer"): Promise<Customer> {
  const c = await people.page(label);
  await c.page.goto("/phone");
  await expect(c.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(c.page.locator("#phone-status")).toHaveText("Idle");
  return { ...c, sid: async () => (await c.page.locator("#phone-call-sid").innerText()).trim() };
}

/** The customer calls the support number (from `from`, if given) and hears the welcome. */
export async function call(phone: Customer, from?: string) {
  if (from) await phone.page.fill("#phone-from", from);
  await phone.page.click("#phone-call-button");
  await expect(phone.page.locator("#phone-heard")).toContainText("Thank you for calling. Please wait in line", { timeout: 10_000 });
}

export async function hangUp(phone: Customer) {
  await phone.page.click("#phone-hangup-button");
  await expect(phone.page.locator("#phone-status")).toHaveText(/ended/i);
}

/** The customer's conference as `status:participants`, or `none`. */
export async function conferenceOf(phone: Customer): Promise<string> {
  const sid = await phone.sid();
  const conf = (await simState(phone.page)).conferences.find((c) => c.friendly_name === sid);
  return conf ? `${conf.status}:${conf.participants.length}` : "none";
}

/** Who is in the customer's live conference, by name, with ` (on hold)` for the held. */
export async function roomOf(phone: Customer): Promise<string[]> {
  const sid = await phone.sid();
  const conf = (await simState(phone.page)).conferences.find((c) => c.friendly_name === sid && c.status !== "completed");
  if (!conf) return [];
  return conf.participants
    .map((p) => `${p.call_sid === sid ? "customer" : p.name}${p.status === "ringing" ? " (ringing)" : ""}${p.on_hold ? " (on hold)" : ""}`)
    .sort();
}

/** The customer's leg is on hold in their conference (Twilio's participant flag). */
export async function customerOnHold(phone: Customer): Promise<boolean | undefined> {
  const sid = await phone.sid();
  const conf = (await simState(phone.page)).conferences.find((c) => c.friendly_name === sid && c.status !== "completed");
  return conf?.participants.find((p) => p.call_sid === sid)?.on_hold;
}

/** supervisor1 signs in on /floor (the console with the floor beside it) and steps away from calls. */
export async function supervisorOnTheFloor(people: Agents): Promise<Agent> {
  const s = await people.page("supervisor1", { width: 1400, height: 1100 });
  await s.page.goto("/floor");
  await expect(s.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await s.page.fill("#identity", "supervisor1");
  await s.page.fill("#password", DEMO_PASSWORD);
  await s.page.click("#sign-in-button");
  await expect(s.page.locator("#call-status")).toHaveText("Connected as: supervisor1");
  // Their phone registers and makes them available by itself; then they step away from calls.
  await expect(s.page.locator("#presence")).toHaveText(/^Available · /);
  await s.page.click("#away-button");
  await expect(s.page.locator("#presence")).toHaveText(/^Away · /);
  await expect(s.page.locator("#floor-panel")).toBeVisible();
  return s;
}

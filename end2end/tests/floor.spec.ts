// The supervisor's floor through the built-in simulator: a supervisor on /floor and three
// agents on their consoles, each in a browser of their own, four customers on the simulator's
// phone page. The floor's tiles and agent grid move as calls arrive, are answered, abandoned and
// transferred; listen → whisper → barge → leave is asserted on the consoles and on what each
// party hears in the simulated conference; an agent asks for help. Screenshots of each state go
// to end2end/artifacts/floor-*.png.
import { test, expect, type Page } from "@playwright/test";
import { Agents, shot, type Agent } from "../support/app";
import { call, customerPhone, hangUp, signedInAgent, simState, supervisorOnTheFloor, type Customer } from "../support/sim";

let people: Agents;
test.beforeEach(({ browser }) => {
  people = new Agents(browser);
});
test.afterEach(async () => {
  await people.done();
});

const tile = (p: Page, id: string) => p.locator(`#${id} .tile-value`);
const agentRow = (p: Page, agent: string) => p.locator(`#floor-agents tr[data-agent="${agent}"]`);
const floorCall = (p: Page, sid: string) => p.locator(`#floor-calls li[data-call="${sid}"]`);

/** What the simulated call to `to` (e.g. `client:agent1`) hears now. */
async function hearingOf(page: Page, to: string): Promise<string | undefined> {
  const calls = (await simState(page)).calls.filter((c) => c.to === to && c.status === "in-progress");
  return calls[calls.length - 1]?.now_hearing;
}

async function customerHears(phone: Customer): Promise<string> {
  return (await phone.page.locator("#phone-hearing").innerText()).trim();
}

async function answers(a: Agent) {
  await expect(a.page.locator("#call-status")).toHaveText("Incoming support call");
  await a.page.click("#answer-call-button");
  await expect(a.page.locator("#call-status")).toHaveText("In call with customer");
}

test("a supervisor watches the floor, answers a raised hand, listens, whispers, barges and leaves", async () => {
  test.setTimeout(150_000);
  const sup = await supervisorOnTheFloor(people);
  const a1 = await signedInAgent(people, "agent1");
  const a2 = await signedInAgent(people, "agent2");
  const a3 = await signedInAgent(people, "agent3");
  await expect(agentRow(sup.page, "agent3")).toHaveAttribute("data-presence", "available");
  await expect(tile(sup.page, "tile-waiting")).toHaveText("0");
  await shot(sup.page, "floor-1-quiet");

  // Four callers; the three agents answer the first three, the fourth waits.
  const phones: Customer[] = [];
  for (let n = 1; n <= 4; n++) {
    const phone = await customerPhone(people, `customer${n}`);
    await call(phone, `+1555888000${n}`);
    phones.push(phone);
  }
  for (const a of [a1, a2, a3]) await answers(a);
  await expect(tile(sup.page, "tile-waiting")).toHaveText("1");
  await expect(tile(sup.page, "tile-longest")).toHaveText(/^0:\d\d$/);
  for (const a of ["agent1", "agent2", "agent3"]) await expect(agentRow(sup.page, a)).toHaveAttribute("data-presence", "on-call");
  await expect(agentRow(sup.page, "agent1").locator(".agent-call")).toContainText("Caller +15558880001");
  await expect(tile(sup.page, "tile-counts")).toHaveText("4 offered · 3 answered · 0 abandoned");
  await shot(sup.page, "floor-2-three-calls-one-waiting");

  // The fourth caller gives up.
  await hangUp(phones[3]);
  await expect(tile(sup.page, "tile-waiting")).toHaveText("0");
  await expect(tile(sup.page, "tile-counts")).toHaveText(/^4 offered · 3 answered · /);

  // agent1 asks for help: every floor shows it at once, with a one-click listen.
  await a1.page.click("#ask-help-button");
  await expect(a1.page.locator("#cancel-help-button")).toBeVisible();
  const sid1 = await phones[0].sid();
  const hand = sup.page.locator(`#floor-hands li[data-call="${sid1}"]`);
  await expect(hand).toContainText("Agent 1 asked for help");
  await shot(sup.page, "floor-3-hand-raised");
  await hand.locator(".listen-button").click();

  // Listening: the supervisor's phone answers by itself; they hear both, nobody hears them.
  await expect(sup.page.locator("#call-status")).toHaveText(/In call/);
  await expect(floorCall(sup.page, sid1).locator(".monitors")).toHaveText("Supervisor 1: listening");
  await expect(sup.page.locator("#floor-hands li")).toHaveCount(0);
  await expect.poll(() => hearingOf(sup.page, "client:supervisor1")).toBe("conference with +15558880001, agent1");
  await expect.poll(() => customerHears(phones[0])).toBe("conference with agent1");
  await expect.poll(() => hearingOf(sup.page, "client:agent1")).toBe("conference with +15558880001");
  await expect(a1.page.locator("#my-supervisor")).toBeHidden();
  await expect(sup.page.locator("#my-call-summary")).toHaveText("Monitoring Caller +15558880001 with Agent 1 · listening");
  await expect(agentRow(sup.page, "supervisor1").locator(".agent-call")).toContainText("monitoring: Caller +15558880001");
  await shot(sup.page, "floor-4-listening");

  // Whisper: only agent1 hears the supervisor, and their console says who coaches them.
  await floorCall(sup.page, sid1).locator(".whisper-button").click();
  await expect(floorCall(sup.page, sid1).locator(".monitors")).toHaveText("Supervisor 1: coaching Agent 1");
  await expect.poll(() => hearingOf(sup.page, "client:agent1")).toBe("conference with +15558880001, supervisor1 (coaching)");
  await expect.poll(() => customerHears(phones[0])).toBe("conference with agent1");
  await expect(a1.page.locator("#my-supervisor")).toHaveText("Coached by Supervisor 1: only you hear them");
  await shot(sup.page, "floor-5-whisper");
  await shot(a1.page, "floor-6-agent-coached");

  // Barge: everyone hears the supervisor.
  await floorCall(sup.page, sid1).locator(".barge-button").click();
  await expect(floorCall(sup.page, sid1).locator(".monitors")).toHaveText("Supervisor 1: barged in");
  await expect.poll(() => customerHears(phones[0])).toBe("conference with agent1, supervisor1");
  await expect(a1.page.locator("#my-supervisor")).toHaveText("Supervisor 1 joined the call: everyone hears them");
  await shot(sup.page, "floor-7-barge");

  // Leave: the supervisor's leg is gone, the call goes on; nobody ever heard a beep for them.
  await floorCall(sup.page, sid1).locator(".leave-monitor-button").click();
  await expect(floorCall(sup.page, sid1).locator(".monitors")).toBeHidden();
  await expect(sup.page.locator("#call-status")).toHaveText("Connected as: supervisor1");
  await expect(sup.page.locator("#my-call-summary")).toHaveText("No call");
  await expect.poll(() => customerHears(phones[0])).toBe("conference with agent1");
  await expect(a1.page.locator("#my-supervisor")).toBeHidden();
  const beeps = (await simState(sup.page)).calls.flatMap((c) => (c as unknown as { beeps: string[] }).beeps ?? []);
  expect(beeps.filter((b) => b.includes("supervisor1")), "no beep for the supervisor").toEqual([]);

  // A transfer moves the floor: agent3's caller hangs up, the supervisor sets agent3 away with
  // a reason, back again, and agent2 hands their caller to agent3.
  await hangUp(phones[2]);
  await expect(agentRow(sup.page, "agent3")).not.toHaveAttribute("data-presence", "on-call");
  await agentRow(sup.page, "agent3").locator(".away-reason").fill("coaching session");
  await agentRow(sup.page, "agent3").locator(".set-away-button").click();
  await expect(a3.page.locator("#presence")).toHaveText(/^Away — set by a supervisor/);
  await expect(agentRow(sup.page, "agent3")).toHaveAttribute("data-presence", "away");
  await expect(sup.page.locator("#floor-log li").first()).toHaveText("supervisor1 set agent3 away: coaching session");
  await a3.page.click("#available-button");
  await expect(agentRow(sup.page, "agent3")).toHaveAttribute("data-presence", "available");
  await a2.page.click("#transfer-agent3-button");
  await answers(a3);
  const sid2 = await phones[1].sid();
  await expect(agentRow(sup.page, "agent3").locator(".agent-call")).toContainText("Caller +15558880002");
  await expect(floorCall(sup.page, sid2)).toContainText("Agent 3");
  await expect(tile(sup.page, "tile-service-level")).toHaveText(/^\d+\.\d %$/);
  await expect(sup.page.locator("#service-level-formula")).toHaveText("service level = answered within 20 s ÷ (answered + abandoned after 5 s)");
  await shot(sup.page, "floor-8-after-transfer");
  for (const x of [sup, a1, a2, a3]) expect(x.errors, x.name).toEqual([]);
});

test("a supervisor adds an account on the floor, the new agent signs in with the password shown once, and is disabled and removed on the record", async () => {
  test.setTimeout(90_000);
  const sup = await supervisorOnTheFloor(people);
  await expect(sup.page.locator("#accounts tr[data-account='agent1']")).toBeVisible();
  await sup.page.fill("#new-account-identity", "agent7");
  await sup.page.fill("#new-account-name", "Agent Seven");
  await sup.page.click("#add-account-button");
  await expect(sup.page.locator("#account-password")).toHaveText(/^Temporary password for agent7: \S{16} \(shown once: give it to them\)$/);
  const password = (await sup.page.locator("#account-password").innerText()).split(": ")[1].split(" ")[0];
  await expect(sup.page.locator("#accounts tr[data-account='agent7']")).toContainText("Agent Seven");
  await shot(sup.page, "floor-9-account-added");

  // The new agent signs in with it.
  const a7 = await people.page("agent7");
  await a7.page.goto("/");
  await expect(a7.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await a7.page.fill("#identity", "agent7");
  await a7.page.fill("#password", password);
  await a7.page.click("#sign-in-button");
  await expect(a7.page.locator("#call-status")).toHaveText("Connected as: agent7");

  // Disabled: their console is signed out, and signing in again is refused.
  await sup.page.locator("#accounts tr[data-account='agent7'] .disable-button").click();
  await expect(sup.page.locator("#accounts tr[data-account='agent7']")).toHaveAttribute("data-disabled", "true");
  await expect(a7.page.locator("#sign-in-form")).toBeVisible({ timeout: 15_000 });
  await a7.page.fill("#identity", "agent7");
  await a7.page.fill("#password", password);
  await a7.page.click("#sign-in-button");
  await expect(a7.page.locator("#sign-in-error")).toContainText("this account is disabled");

  await sup.page.locator("#accounts tr[data-account='agent7'] .remove-button").click();
  await expect(sup.page.locator("#accounts tr[data-account='agent7']")).toHaveCount(0);
  await expect(sup.page.locator("#audit-log li")).toHaveText([
    "supervisor1 removed agent7",
    "supervisor1 disabled agent7",
    "supervisor1 added agent7 (Agent Seven, agent)",
  ]);
  await shot(sup.page, "floor-10-audit-log");
  expect(sup.errors, sup.name).toEqual([]);
});

// The agent's phone in the browser, as an agent uses it: the microphone checked before the first
// call, audio devices chosen and kept, keypad tones on the chosen speaker, and one phone among
// an agent's tabs. The Voice SDK is the test double (support/twilio-double.js) with its fake
// device list; the browser's own microphone answers are Chromium's fake media (see the config),
// replaced where a test needs a blocked or missing microphone.
import { test, expect, type Page } from "@playwright/test";
import { Agents, answeredCall, customerLeft, expectPhone, legEnded, newCallSid, openConsole, shot } from "../support/app";
import { passwordOf } from "../support/env";

const log = (page: Page): Promise<string[]> => page.evaluate(() => (window as any).__voice.log);
const devices = (page: Page): Promise<number> => page.evaluate(() => (window as any).__voice.devices.filter((d: any) => d.state !== "destroyed").length);
const tones = (page: Page): Promise<{ hz: number; sink: string }[]> => page.evaluate(() => (window as any).__tones);

/** Records every tone the page plays with Web Audio, and the output it plays on. */
function recordTones() {
  const w = window as any;
  w.__tones = [];
  (AudioContext.prototype as any).setSinkId = function (id: string) {
    this.__sink = id;
    return Promise.resolve();
  };
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (when?: number) {
    w.__tones.push({ hz: this.frequency.value, sink: (this.context as any).__sink ?? "" });
    return start.call(this, when);
  };
}

/** The browser answers for the microphone as if the agent had blocked it; `__allowMic()` then
 *  flips the site setting, as the agent does in the address bar. */
function blockMicrophone() {
  const w = window as any;
  const status: any = { name: "microphone", state: "denied", onchange: null };
  const query = navigator.permissions.query.bind(navigator.permissions);
  navigator.permissions.query = (d: any) => (d.name === "microphone" ? Promise.resolve(status) : query(d));
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (c) => (status.state === "granted" ? gum(c) : Promise.reject(new DOMException("Permission denied", "NotAllowedError")));
  w.__allowMic = () => {
    status.state = "granted";
    status.onchange?.();
  };
}

/** A computer with no microphone at all. */
function noMicrophone() {
  const list = navigator.mediaDevices.enumerateDevices.bind(navigator.mediaDevices);
  navigator.mediaDevices.enumerateDevices = async () => (await list()).filter((d) => d.kind !== "audioinput");
  navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Requested device not found", "NotFoundError"));
}

let agents: Agents;
const customers: string[] = [];
test.beforeEach(({ browser }) => {
  agents = new Agents(browser);
});
test.afterEach(async ({ request }) => {
  for (const c of customers.splice(0)) await customerLeft(request, c);
  await agents.done();
});

/** An agent's page, signed in, with `init` run before the console's code. */
async function consoleWith(name: string, ...init: (() => void)[]) {
  const a = await agents.page(name);
  for (const script of init) await a.page.addInitScript(script);
  a.errors.push(...(await openConsole(a.page)));
  await a.page.fill("#identity", name);
  await a.page.fill("#password", passwordOf(name));
  await a.page.click("#sign-in-button");
  return a;
}

test("a blocked microphone is told before any call, keeps the agent from being offered calls, and clears once allowed", async () => {
  const a1 = await consoleWith("agent1", blockMicrophone);
  await expectPhone(a1.page, "Connected as: agent1");
  await expect(a1.page.locator("#microphone-status")).toHaveText(
    "Microphone: the microphone is blocked for this site: allow it (the icon at the left of the address bar, then Microphone: Allow), then check again",
  );
  await expect(a1.page.locator("#check-microphone-button")).toBeVisible();
  // Not announced available: no caller is put through to an agent nobody can hear.
  await expect(a1.page.locator("#presence")).toHaveText(/^Offline/);
  await a1.page.click("#available-button");
  await expect(a1.page.locator("#presence-error")).toContainText("not available: the microphone is blocked");
  await expect(a1.page.locator("#presence")).toHaveText(/^Offline/);
  await shot(a1.page, "20-microphone-blocked");
  // The agent allows it in the site settings: the console notices by itself and announces them.
  await a1.page.evaluate(() => (window as any).__allowMic());
  await expect(a1.page.locator("#microphone-problem")).toBeHidden();
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);
  await expect(a1.page.locator("#presence-error")).toBeEmpty();
  expect(a1.errors).toEqual([]);
});

test("no microphone at all says to plug one in; Check again looks again", async () => {
  const a1 = await consoleWith("agent1", noMicrophone);
  await expect(a1.page.locator("#microphone-status")).toHaveText("Microphone: no microphone found: plug in a headset, then check again");
  await expect(a1.page.locator("#presence")).toHaveText(/^Offline/);
  await a1.page.click("#check-microphone-button");
  await expect(a1.page.locator("#microphone-status")).toContainText("no microphone found");
  expect(a1.errors).toEqual([]);
});

test("audio devices: chosen, kept across reloads, given up when unplugged and taken back when plugged in; tones play there", async ({ request }) => {
  const a1 = await consoleWith("agent1", recordTones);
  await expectPhone(a1.page, "Connected as: agent1");
  await expect(a1.page.locator("#presence")).toHaveText(/^Available · /);
  // Each choice under its own label, one above the other (not two bare selects on one line).
  const mic = a1.page.getByLabel("Microphone", { exact: true });
  const speaker = a1.page.getByLabel("Speaker", { exact: true });
  await expect(mic).toHaveId("microphone-select");
  await expect(speaker).toHaveId("speaker-select");
  const [micBox, speakerBox] = [await mic.boundingBox(), await speaker.boundingBox()];
  expect(speakerBox!.y).toBeGreaterThanOrEqual(micBox!.y + micBox!.height);
  const micLabel = await a1.page.locator('label[for="microphone-select"]').boundingBox();
  expect(micBox!.y).toBeGreaterThanOrEqual(micLabel!.y + micLabel!.height - 1);
  await expect(mic.locator("option")).toHaveText(["Default - Built-in microphone", "Built-in microphone", "USB headset microphone"]);
  await expect(speaker.locator("option")).toHaveText(["Default - Built-in speakers", "USB headset"]);
  await mic.selectOption("headset-mic");
  await speaker.selectOption("headset");
  await expect.poll(() => log(a1.page)).toEqual(expect.arrayContaining(["microphone headset-mic", "speaker headset", "ringtone headset"]));
  // The speaker test plays on the chosen speaker.
  await a1.page.click("#test-speaker-button");
  await expect.poll(() => tones(a1.page)).toEqual([{ hz: 660, sink: "headset" }, { hz: 660, sink: "headset" }]);

  // A reload keeps the choice: the new phone is told again.
  await a1.page.reload();
  await expect(a1.page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expectPhone(a1.page, "Connected as: agent1");
  await expect.poll(() => log(a1.page)).toEqual(expect.arrayContaining(["microphone headset-mic", "speaker headset", "ringtone headset"]));
  await expect(mic).toHaveValue("headset-mic");
  await expect(speaker).toHaveValue("headset");

  // A call; the headset is unplugged mid-call, and plugged back in.
  const caller = newCallSid();
  customers.push(caller);
  const leg = await answeredCall(request, a1.page, "agent1", caller);
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  await a1.page.click("#keypad-button");
  await a1.page.click("#key-1");
  await a1.page.click("#key-hash");
  await expect.poll(() => log(a1.page)).toEqual(expect.arrayContaining(["digits 1", "digits #"]));
  // The keypad's tones, on the headset (the SDK's own are silenced: they play on the default).
  // (The reload started the page's record afresh.)
  const keyTones = () => tones(a1.page);
  await expect.poll(keyTones).toEqual([
    { hz: 697, sink: "headset" },
    { hz: 1209, sink: "headset" },
    { hz: 941, sink: "headset" },
    { hz: 1477, sink: "headset" },
  ]);

  await a1.page.evaluate(() => {
    (window as any).__voice.unplug("headset");
    (window as any).__voice.unplug("headset-mic");
  });
  await expect(a1.page.locator("#audio-note")).toHaveText(
    "USB headset microphone was unplugged: using the default microphone until it is back · USB headset was unplugged: using the default speaker until it is back",
  );
  await expect(mic).toHaveValue("default");
  await expect(speaker).toHaveValue("default");
  await expect.poll(() => log(a1.page)).toEqual(expect.arrayContaining(["microphone default", "speaker default"]));
  await expectPhone(a1.page, "In call with customer", { hangup: true });
  await shot(a1.page, "21-headset-unplugged");
  await a1.page.click("#key-2");
  await expect.poll(async () => (await keyTones()).slice(4)).toEqual([
    { hz: 697, sink: "" },
    { hz: 1336, sink: "" },
  ]);

  await a1.page.evaluate(() => {
    (window as any).__voice.plug("audioinput", "headset-mic", "USB headset microphone");
    (window as any).__voice.plug("audiooutput", "headset", "USB headset");
  });
  await expect(a1.page.locator("#audio-note")).toHaveText("USB headset microphone is back: using it again · USB headset is back: using it again");
  await expect(mic).toHaveValue("headset-mic");
  await expect(speaker).toHaveValue("headset");
  const after = (await log(a1.page)).slice((await log(a1.page)).lastIndexOf("speaker default"));
  expect(after).toEqual(expect.arrayContaining(["microphone headset-mic", "speaker headset"]));

  await a1.page.click("#hangup-call-button");
  await legEnded(request, leg, "completed");
  expect(a1.errors).toEqual([]);
});

test("one phone per agent: a second tab says so, takes it over cleanly, and is refused while a call is live", async () => {
  const a2 = await agents.console("agent2");
  const first = a2.page;
  const errors = a2.errors;
  {
    // The same agent in a second tab of the same browser: its phone stays off.
    const second = await a2.context.newPage();
    errors.push(...(await openConsole(second)));
    await expectPhone(second, "Phone open in another tab");
    await expect(second.locator("#take-over-button")).toBeVisible();
    expect(await devices(second), "no second device: no two tabs ring").toBe(0);
    await shot(second, "22-phone-in-another-tab");

    // Taking it over: the first tab gives it up (its device destroyed), the second connects; the
    // agent stays available throughout (the server is not told they went offline).
    await second.click("#take-over-button");
    await expectPhone(second, "Connected as: agent2");
    await expectPhone(first, "Phone open in another tab · Phone moved to another tab");
    expect(await devices(first)).toBe(0);
    expect(await devices(second)).toBe(1);
    await expect(second.locator("#presence")).toHaveText(/^Available · /);
    await expect(first.locator("#take-over-button")).toBeVisible();

    // While a call rings (or is live) in the second tab, the first may not take it.
    await second.evaluate(() => (window as any).__voice.incoming({ CallSid: "CA" + "0".repeat(31) + "9" }));
    await expectPhone(second, "Incoming support call", { answer: true });
    await first.click("#take-over-button");
    await expectPhone(first, "Phone open in another tab · The other tab is on a call: take the phone over once it ends");
    await expectPhone(second, "Incoming support call", { answer: true });
    await second.evaluate(() => (window as any).__voice.lastCall().cancel());
    await expectPhone(second, "Connected as: agent2 · Call stopped ringing");

    // The tab holding the phone closes: the one left takes the phone by itself.
    await second.close();
    await expectPhone(first, "Connected as: agent2");
    expect(await devices(first)).toBe(1);
    await expect(first.locator("#presence")).toHaveText(/^Available · /);
    expect(errors).toEqual([]);
  }
});

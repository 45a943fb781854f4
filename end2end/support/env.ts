// Settings the browser tests run the server with: fake Twilio credentials, a local stand-in for
// api.twilio.com (`warm-transfer stand-in`, see playwright.config.ts), and a fresh SQLite file per run.
import * as os from "node:os";
import * as path from "node:path";

export const PORT = Number(process.env.E2E_PORT ?? 3310);
export const STAND_IN_PORT = Number(process.env.E2E_STAND_IN_PORT ?? 3311);
export const AUTH_TOKEN = "e2e-auth-token";
export const PUBLIC_BASE = `http://127.0.0.1:${PORT}`;
export const passwordOf = (agent: string) => `e2e-password-${agent}`;
/** Wrap-up after a call on the console server: long enough to see it and end it by hand. */
export const WRAP_UP_SECS_CONSOLE = 15;
const dbFile = path.join(os.tmpdir(), `warm-transfer-e2e-${process.pid}-${Date.now()}.db`);

export const env: Record<string, string> = {
  TWILIO_ACCOUNT_SID: "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  TWILIO_API_KEY: "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
  TWILIO_API_SECRET: "e2e-api-secret",
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_NUMBER: "+15005550006",
  TWILIO_API_BASE_URL: `http://127.0.0.1:${STAND_IN_PORT}`,
  PUBLIC_BASE_URL: PUBLIC_BASE,
  DATABASE_URL: `sqlite://${dbFile}?mode=rwc`,
  LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
  LEPTOS_SITE_ROOT: "target/site",
  WRAP_UP_SECS: String(WRAP_UP_SECS_CONSOLE),
  // The console's tests are about the queue as it was: no callback offers (see afterEnv).
  CALLBACK_AFTER_SECS: "0",
  // Twilio's pace of calls created through the API, raised as accounts ask: still paced, never
  // so slow that a test waits on it (scripts/load.sh and tests/it/pacing.rs keep the default 1).
  TWILIO_CALLS_PER_SECOND: "5",
  RUST_LOG: "info",
  TWILIO_CHECK_AT_START: "false",
  PATH: process.env.PATH ?? "",
};

// The second server: no Twilio settings at all, so it runs its built-in simulator. Agents ring
// for a few seconds only (5 is the least the server accepts) and wrap-up is short, so the "nobody
// answers" and "the next caller after wrap-up" tests are quick.
export const SIM_PORT = Number(process.env.E2E_SIM_PORT ?? 3312);
export const SIM_RING_SECS = 5;
export const SIM_WRAP_UP_SECS = 3;
export const DEMO_PASSWORD = "simulator";
export const simEnv: Record<string, string> = {
  TWILIO_MODE: "simulator",
  DATABASE_URL: `sqlite://${path.join(os.tmpdir(), `warm-transfer-e2e-sim-${process.pid}-${Date.now()}.db`)}?mode=rwc`,
  LEPTOS_SITE_ADDR: `127.0.0.1:${SIM_PORT}`,
  LEPTOS_SITE_ROOT: "target/site",
  RING_TIMEOUT_SECS: String(SIM_RING_SECS),
  WRAP_UP_SECS: String(SIM_WRAP_UP_SECS),
  // No caller of these tests waits long enough to be offered a callback (see afterEnv).
  CALLBACK_AFTER_SECS: "0",
  // The simulated account's pace and the app's (see env above).
  TWILIO_CALLS_PER_SECOND: "5",
  RUST_LOG: "info",
  TWILIO_CHECK_AT_START: "false",
  PATH: process.env.PATH ?? "",
};

// The third server: the simulator again, with callbacks offered after 3 s of waiting and retried
// after 2 s, for the after-hours tests (callbacks, voicemail, opening hours) alone.
export const AFTER_PORT = Number(process.env.E2E_AFTER_PORT ?? 3313);
export const AFTER_CALLBACK_SECS = 3;
export const afterEnv: Record<string, string> = {
  ...simEnv,
  DATABASE_URL: `sqlite://${path.join(os.tmpdir(), `warm-transfer-e2e-after-${process.pid}-${Date.now()}.db`)}?mode=rwc`,
  LEPTOS_SITE_ADDR: `127.0.0.1:${AFTER_PORT}`,
  CALLBACK_AFTER_SECS: String(AFTER_CALLBACK_SECS),
  CALLBACK_RETRY_SECS: "2",
  RING_TIMEOUT_SECS: "10",
};

// The fourth server, started by the demo test itself (so its bots do not run during the other
// tests): demo mode with two agent bots and callers every 1.5 s on average, replayable by seed.
export const DEMO_PORT = Number(process.env.E2E_DEMO_PORT ?? 3314);
export const demoEnv: Record<string, string> = {
  ...simEnv,
  DATABASE_URL: `sqlite://${path.join(os.tmpdir(), `warm-transfer-e2e-demo-${process.pid}-${Date.now()}.db`)}?mode=rwc`,
  LEPTOS_SITE_ADDR: `127.0.0.1:${DEMO_PORT}`,
  RING_TIMEOUT_SECS: "10",
  WRAP_UP_SECS: "2",
  DEMO: "1",
  DEMO_AGENTS: "2",
  DEMO_CALLERS_PER_MIN: "40",
  DEMO_SEED: "3",
  RUST_LOG: "warn",
};

import { defineConfig } from "@playwright/test";
import { AFTER_PORT, afterEnv, DEMO_PORT, env, PORT, simEnv, SIM_PORT, STAND_IN_PORT } from "./support/env";
import { SPEECH_WAV } from "./support/speech";

const chromiumArgs = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  // A fake microphone the page may use without asking (the tests that need a blocked or
  // missing one replace the browser's answers).
  "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
  // Sounds (keypad tones) start without a user gesture in every test.
  "--autoplay-policy=no-user-gesture-required",
];

// Debian's chromium, never a downloaded browser (see README / BUILD-NOTES).
export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 30_000,
  expect: { timeout: 7_000 },
  workers: 1, // agents and their live calls are shared server state
  reporter: [["list"]],
  globalSetup: "./support/global-setup.ts",
  projects: [
    // The console against real server code, with the Voice SDK replaced by a test double.
    { name: "console", testMatch: /(console|phone)\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${PORT}` } },
    // Warm transfers and every other transfer through the built-in simulator: several browsers,
    // no doubles, no retries.
    { name: "simulator", testMatch: /(warm-transfer|transfers|floor)\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${SIM_PORT}` } },
    // When nobody can answer: callbacks offered after a short wait, voicemail, opening hours.
    { name: "after-hours", testMatch: /after-hours\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${AFTER_PORT}` } },
    // Demo mode: agent and caller bots beside people (its server is started by the test).
    { name: "demo", testMatch: /demo\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${DEMO_PORT}` } },
    // The console with the real Voice SDK it ships, the test playing Twilio's signalling, media
    // and HTTPS (support/twilio-signal.ts), against the console's server. Real WebRTC between
    // two pages needs host candidates (no mDNS names) and a voice-like fake microphone (a tone
    // is removed by noise suppression).
    {
      name: "real-sdk",
      testMatch: /real-sdk\.spec\.ts/,
      timeout: 60_000,
      use: {
        baseURL: `http://127.0.0.1:${PORT}`,
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [...chromiumArgs, "--disable-features=WebRtcHideLocalIpsWithMdns", `--use-file-for-fake-audio-capture=${SPEECH_WAV}`],
        },
      },
    },
  ],
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: chromiumArgs,
    },
  },
  // The release binary `cargo leptos build --release` produced, started from the repository root.
  // First api.twilio.com for the console server: the built-in simulator answering only, with
  // the same credentials, listing what it received at /requests (see support/app.ts).
  webServer: [
    { command: `target/release/warm-transfer stand-in --port ${STAND_IN_PORT}`, cwd: "..", url: `http://127.0.0.1:${STAND_IN_PORT}/requests`, timeout: 60_000, env, stdout: "pipe", stderr: "pipe" },
    { command: "target/release/warm-transfer", cwd: "..", url: `http://127.0.0.1:${PORT}/healthz`, timeout: 60_000, env, stdout: "pipe", stderr: "pipe" },
    { command: "target/release/warm-transfer", cwd: "..", url: `http://127.0.0.1:${SIM_PORT}/healthz`, timeout: 60_000, env: simEnv, stdout: "pipe", stderr: "pipe" },
    { command: "target/release/warm-transfer", cwd: "..", url: `http://127.0.0.1:${AFTER_PORT}/healthz`, timeout: 60_000, env: afterEnv, stdout: "pipe", stderr: "pipe" },
  ],
});

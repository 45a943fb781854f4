import { defineConfig } from "@playwright/test";
import { env, PORT } from "./support/env";

// Debian's chromium, never a downloaded browser (see README / BUILD-NOTES).
export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 30_000,
  expect: { timeout: 7_000 },
  workers: 1, // agents and their live calls are shared server state
  reporter: [["list"]],
  globalSetup: "./support/global-setup.ts",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    },
  },
  webServer: {
    // The release binary `cargo leptos build --release` produced, from the repository root.
    command: "target/release/warm-transfer",
    cwd: "..",
    url: `http://127.0.0.1:${PORT}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    env,
    stdout: "pipe",
    stderr: "pipe",
  },
});

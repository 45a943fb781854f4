// Agent accounts for the console server. (api.twilio.com is played by `warm-transfer stand-in`,
// a web server in playwright.config.ts.)
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { env, passwordOf } from "./env";
import { writeSpeechWav } from "./speech";

/** Agent accounts, created with the server binary's own CLI (password on stdin). */
function addAgents() {
  const bin = path.join(__dirname, "..", "..", "target", "release", "warm-transfer");
  for (const [agent, name] of [["agent1", "Agent 1"], ["agent2", "Agent 2"], ["agent3", "Agent 3"]]) {
    execFileSync(bin, ["agent", "add", agent, "--name", name], {
      env: { ...process.env, DATABASE_URL: env.DATABASE_URL },
      input: passwordOf(agent) + "\n",
    });
  }
}

export default async function globalSetup() {
  addAgents();
  // The real-SDK tests' fake microphone (read by Chromium when it starts).
  writeSpeechWav();
}

// A local stand-in for api.twilio.com: answers call creation like Twilio and remembers every
// request so tests can ask what the server sent (GET /__requests).
import * as http from "node:http";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { env, STAND_IN_PORT, passwordOf } from "./env";

/** Agent accounts, created with the server binary's own CLI (password on stdin). */
function addAgents() {
  const bin = path.join(__dirname, "..", "..", "target", "release", "warm-transfer");
  for (const [agent, name] of [["agent1", "Agent 1"], ["agent2", "Agent 2"]]) {
    execFileSync(bin, ["agent", "add", agent, "--name", name], {
      env: { ...process.env, DATABASE_URL: env.DATABASE_URL },
      input: passwordOf(agent) + "\n",
    });
  }
}

export default async function globalSetup() {
  addAgents();
  const requests: { method: string; path: string; form: Record<string, string> }[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.url === "/__requests") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(requests));
        return;
      }
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ method: req.method ?? "", path: req.url ?? "", form });
      n += 1;
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ sid: "CA" + n.toString(16).padStart(32, "0"), status: "queued" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(STAND_IN_PORT, "127.0.0.1", resolve));
  return async () => new Promise<void>((resolve) => server.close(() => resolve()));
}

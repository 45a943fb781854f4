// A local stand-in for api.twilio.com: answers call creation (and call updates) like Twilio and
// remembers every request, with the CallSid it answered, so tests can ask what the server sent
// (GET /__requests) and play Twilio's part for that leg (answer it, end it).
import * as http from "node:http";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { env, STAND_IN_PORT, passwordOf } from "./env";

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
  const requests: { method: string; path: string; form: Record<string, string>; sid: string }[] = [];
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
      // An update of an existing call (POST …/Calls/{CallSid}.json: cancel, complete) answers
      // with that call; anything else creates a call with a fresh CallSid.
      const update = /\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(req.url ?? "");
      let sid: string;
      if (update) sid = update[1];
      else {
        n += 1;
        sid = "CA" + n.toString(16).padStart(32, "0");
      }
      requests.push({ method: req.method ?? "", path: req.url ?? "", form, sid });
      res.writeHead(update ? 200 : 201, { "content-type": "application/json" });
      res.end(JSON.stringify({ sid, status: update ? (form.Status ?? "in-progress") : "queued" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(STAND_IN_PORT, "127.0.0.1", resolve));
  return async () => new Promise<void>((resolve) => server.close(() => resolve()));
}

// Twilio's side of the real Voice SDK (node_modules/@twilio/voice-sdk/dist/twilio.min.js, served
// by the app at /vendor/twilio.min.js), played by the test: the signalling WebSocket
// (`wss://voice-js.<edge>.twilio.com/signal`, routed with `context.routeWebSocket`), the SDK's
// HTTPS requests (Insights events, sounds), and the media (a page of its own with a real
// RTCPeerConnection, `MediaServer`). What the SDK sends and expects is read from its source
// (pstream.ts, wstransport.ts, device.ts, call.ts); see ../shared/VOICE-SDK.md.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { expect, type Browser, type BrowserContext, type Page, type WebSocketRoute } from "@playwright/test";

/** What Twilio knows of the account: the key a token must be signed with. */
export type Account = { accountSid: string; apiKey: string; apiSecret: string };

type Message = { type: string; version?: string; payload: Record<string, any> };

/** One call Twilio has put through to the agent's browser. */
type Leg = { callsid: string; live: boolean; reconnectable: boolean; answered?: (sdp: string) => void };

const b64url = (b: Buffer) => b.toString("base64url");

/** Checks a Voice access token as Twilio does: HS256 with the key's secret, issuer and account,
 * validity window, the voice grant to receive calls and an identity. Returns its claims or why not. */
export function checkToken(token: string, account: Account, now = Date.now() / 1000): { claims?: any; refused?: string } {
  const parts = token.split(".");
  if (parts.length !== 3) return { refused: "not a JWT" };
  const [h, p, sig] = parts;
  const header = JSON.parse(Buffer.from(h, "base64url").toString());
  if (header.alg !== "HS256" || header.cty !== "twilio-fpa;v=1") return { refused: `header ${JSON.stringify(header)}` };
  const expected = createHmac("sha256", account.apiSecret).update(`${h}.${p}`).digest();
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refused: "signature" };
  const claims = JSON.parse(Buffer.from(p, "base64url").toString());
  if (claims.iss !== account.apiKey || claims.sub !== account.accountSid) return { refused: "issuer" };
  if (!(claims.nbf <= now + 5 && now < claims.exp)) return { refused: "expired" };
  if (claims.grants?.voice?.incoming?.allow !== true) return { refused: "no incoming grant" };
  if (typeof claims.grants?.identity !== "string" || !claims.grants.identity) return { refused: "no identity" };
  return { claims };
}

/**
 * Twilio's signalling server for one browser context (one agent). The test says what Twilio
 * does (`invite`, `cancel`, `hangup`, `drop`) and reads what the SDK did (`log`, `listens`).
 */
export class TwilioSignal {
  /** Every message the SDK sent, oldest first. */
  log: Message[] = [];
  /** The claims of every token the SDK presented in `listen`, and its `reconnectTimeout`. */
  listens: { claims: any; token: string; reconnectTimeout: number }[] = [];
  /** While down, new sockets are refused (closed as a network failure closes them: 1006). */
  down = false;
  /** Twilio refuses every token (as for a key it does not know). */
  refuseTokens = false;
  /** The `ttl` the next `connected` reports, in seconds (default: what the token has left). */
  nextTtl?: number;
  /** Twilio gives calls a reconnect token (when `listen` asked for reconnection). */
  reconnectTokens = true;
  /** Sockets opened so far. */
  opened = 0;
  /** Requests to Twilio's hosts nobody here answers for. */
  unexpected: string[] = [];
  private socket: WebSocketRoute | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private legs = new Map<string, Leg>();

  constructor(private account: Account) {}

  /** Plays Twilio for `context`: its signalling socket and its HTTPS requests. */
  async install(context: BrowserContext) {
    await context.routeWebSocket(/^wss:\/\/voice-js\.[a-z0-9-]+\.twilio\.com\/signal/, (ws) => this.accept(ws));
    // Cross-origin requests from the console's origin, as Twilio's servers allow them.
    const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "*", "access-control-allow-methods": "GET, POST, OPTIONS" };
    // Nothing else of Twilio's is reached: anything else would be a request this test does
    // not know the SDK makes (registered first: the later routes below take precedence).
    await context.route(/^https:\/\/[a-z0-9.-]*twilio(cdn)?\.com\//, (route) => {
      this.unexpected.push(route.request().url());
      return route.fulfill({ status: 404, headers: cors, body: "" });
    });
    // Insights: events and metrics are posted here (`eventgw.<home>.twilio.com` once connected).
    await context.route(/^https:\/\/eventgw(\.[a-z0-9-]+)?\.twilio\.com\//, (route) =>
      route.fulfill({ status: 200, headers: cors, contentType: "application/json", body: "{}" }),
    );
    // The SDK's sounds (ring, disconnect, …): any short audio.
    await context.route(/^https:\/\/sdk\.twilio\.com\/js\/client\/sounds\//, (route) =>
      route.fulfill({ status: 200, headers: cors, contentType: "audio/wav", body: SILENT_WAV }),
    );
  }

  private accept(ws: WebSocketRoute) {
    this.opened++;
    if (this.down) {
      ws.close({ code: 1006, reason: "" });
      return;
    }
    this.closeSocket();
    this.socket = ws;
    ws.onMessage((data) => this.onMessage(ws, String(data)));
    ws.onClose(() => {
      if (this.socket === ws) this.closeSocket();
    });
    // Twilio's heartbeat: without a message in 15 s the SDK takes the socket for dead.
    this.heartbeat = setInterval(() => this.socket === ws && ws.send("\n"), 5_000);
  }

  private closeSocket() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.socket = null;
  }

  private send(type: string, payload: Record<string, any>) {
    this.socket?.send(JSON.stringify({ type, version: "1.6", payload }));
  }

  private onMessage(ws: WebSocketRoute, data: string) {
    if (data === "\n") return; // the SDK's answer to a heartbeat
    const msg: Message = JSON.parse(data);
    this.log.push(msg);
    const p = msg.payload ?? {};
    switch (msg.type) {
      case "listen": {
        const { claims, refused } = checkToken(p.token, this.account);
        if (this.refuseTokens || !claims) {
          // Twilio's word for a token it will not take, then it hangs up on the socket.
          this.send("error", { error: { code: 31204, message: `JWT is invalid${refused ? ` (${refused})` : ""}` } });
          ws.close({ code: 1000, reason: "" });
          if (this.socket === ws) this.closeSocket();
          return;
        }
        this.listens.push({ claims, token: p.token, reconnectTimeout: p.reconnectTimeout });
        const ttl = this.nextTtl ?? Math.floor(claims.exp - Date.now() / 1000);
        this.nextTtl = undefined;
        this.send("connected", { region: "us1", edge: "ashburn", home: "us1", token: { identity: claims.grants.identity, ttl } });
        return;
      }
      case "register":
        this.send("ready", { region: "us1" });
        return;
      case "answer": {
        const leg = this.legs.get(p.callsid);
        leg?.answered?.(p.sdp);
        return;
      }
      case "invite": {
        // The SDK reconnecting a call after its socket came back (`reconnect`: the token).
        const leg = this.legs.get(p.callsid);
        if (leg && leg.live && leg.reconnectable && p.reconnect) {
          this.send("answer", { callsid: p.callsid, reconnect: this.reconnectToken() });
        } else {
          this.send("hangup", { callsid: p.callsid });
        }
        return;
      }
      case "hangup":
      case "reject": {
        const leg = this.legs.get(p.callsid);
        if (leg) leg.live = false;
        return;
      }
    }
  }

  private reconnectToken(): string {
    return b64url(randomBytes(24));
  }

  /** The listen that asked for reconnection of calls, as the SDK sent it last. */
  lastListen() {
    return this.listens[this.listens.length - 1];
  }

  /** Puts a call through to the agent's browser (`invite`, with the media server's offer). */
  invite(callsid: string, sdp: string, from = "+15005550006", to = "client:agent") {
    const asked = (this.lastListen()?.reconnectTimeout ?? 0) > 0;
    const leg: Leg = { callsid, live: true, reconnectable: asked && this.reconnectTokens };
    this.legs.set(callsid, leg);
    const answered = new Promise<string>((resolve) => (leg.answered = resolve));
    this.send("invite", {
      callsid,
      sdp,
      parameters: { CallSid: callsid, From: from, To: to, AccountSid: this.account.accountSid, ApiVersion: "2010-04-01" },
      ...(leg.reconnectable ? { reconnect: this.reconnectToken() } : {}),
    });
    return answered;
  }

  /** The caller went away before the answer. */
  cancel(callsid: string) {
    const leg = this.legs.get(callsid);
    if (leg) leg.live = false;
    this.send("cancel", { callsid });
  }

  /** Twilio ends the call (the far end hung up), or marks it over while the socket is down. */
  hangup(callsid: string) {
    const leg = this.legs.get(callsid);
    if (leg) leg.live = false;
    this.send("hangup", { callsid });
  }

  /** The signalling socket drops as a network failure drops it; `down` keeps it down. */
  drop({ down }: { down: boolean }) {
    this.down = down;
    const ws = this.socket;
    this.closeSocket();
    ws?.close({ code: 1006, reason: "" });
  }

  /** Messages of this type the SDK sent (payloads). */
  sent(type: string): Record<string, any>[] {
    return this.log.filter((m) => m.type === type).map((m) => m.payload);
  }
}

/** 10 ms of silence (8 kHz, 8-bit mono WAV). */
const SILENT_WAV = Buffer.from(
  "UklGRnQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YVAAAACAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgA==",
  "base64",
);

/**
 * Twilio's media server: a page of its own (its own context) with one real RTCPeerConnection
 * per call. It offers (the SDP of `invite`), takes the SDK's answer, sends a voice-like sound
 * made with WebAudio and listens to what comes back: its stats, its loudness, and the DTMF
 * tones the agent keys (NetEq plays telephone-events out as tones; Goertzel finds them).
 */
export class MediaServer {
  private constructor(readonly page: Page, private context: BrowserContext) {}

  static async open(browser: Browser): Promise<MediaServer> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto("about:blank");
    await page.evaluate(MEDIA_SCRIPT);
    return new MediaServer(page, context);
  }

  /** A new call's offer, with every candidate gathered (Twilio does not trickle). */
  offer(callsid: string): Promise<string> {
    return this.page.evaluate((id) => (window as any).__media.offer(id), callsid);
  }

  answer(callsid: string, sdp: string) {
    return this.page.evaluate(([id, s]) => (window as any).__media.answer(id, s), [callsid, sdp] as const);
  }

  stats(callsid: string): Promise<{ bytesReceived: number; packetsReceived: number; energy: number; bytesSent: number; ice: string }> {
    return this.page.evaluate((id) => (window as any).__media.stats(id), callsid);
  }

  /** DTMF keys heard on the call so far (each once per press). */
  keysHeard(callsid: string): Promise<string> {
    return this.page.evaluate((id) => (window as any).__media.keys(id), callsid);
  }

  async close() {
    await this.context.close();
  }
}

// Runs in the media server's page.
const MEDIA_SCRIPT = `(() => {
  const calls = {};
  const ctx = new AudioContext();
  // A voice-like sound: a glottal pulse train gliding between 110 and 180 Hz through two
  // formant filters, in syllables (4 a second), with a little breath noise.
  function voice() {
    const osc = ctx.createOscillator();
    osc.type = "sawtooth";
    osc.frequency.value = 140;
    const lfo = ctx.createOscillator(); lfo.frequency.value = 0.7;
    const lfoGain = ctx.createGain(); lfoGain.gain.value = 35;
    lfo.connect(lfoGain).connect(osc.frequency);
    const f1 = ctx.createBiquadFilter(); f1.type = "bandpass"; f1.frequency.value = 700; f1.Q.value = 4;
    const f2 = ctx.createBiquadFilter(); f2.type = "bandpass"; f2.frequency.value = 1200; f2.Q.value = 5;
    const syllables = ctx.createGain(); syllables.gain.value = 0.5;
    const rate = ctx.createOscillator(); rate.frequency.value = 4;
    const depth = ctx.createGain(); depth.gain.value = 0.5;
    rate.connect(depth).connect(syllables.gain);
    const out = ctx.createMediaStreamDestination();
    osc.connect(f1).connect(syllables); osc.connect(f2).connect(syllables);
    syllables.connect(out);
    for (const n of [osc, lfo, rate]) n.start();
    return out.stream;
  }
  const DTMF = { "1": [697, 1209], "2": [697, 1336], "3": [697, 1477], "4": [770, 1209], "5": [770, 1336], "6": [770, 1477],
    "7": [852, 1209], "8": [852, 1336], "9": [852, 1477], "*": [941, 1209], "0": [941, 1336], "#": [941, 1477] };
  function goertzel(buf, rate, f) {
    const k = 2 * Math.cos(2 * Math.PI * f / rate);
    let s1 = 0, s2 = 0;
    for (let i = 0; i < buf.length; i++) { const s = buf[i] + k * s1 - s2; s2 = s1; s1 = s; }
    return s1 * s1 + s2 * s2 - k * s1 * s2;
  }
  // Listens to the received audio for DTMF pairs: both tones of a key far above the others.
  function listen(call, stream) {
    const el = new Audio(); el.muted = true; el.srcObject = stream; el.play().catch(() => {});
    const src = ctx.createMediaStreamSource(stream);
    const an = ctx.createAnalyser(); an.fftSize = 1024;
    src.connect(an);
    // Pulled by the graph (an analyser alone may not be), heard by nobody.
    const mute = ctx.createGain(); mute.gain.value = 0;
    an.connect(mute).connect(ctx.destination);
    const buf = new Float32Array(an.fftSize);
    let last = null;
    call.timer = setInterval(() => {
      an.getFloatTimeDomainData(buf);
      // What is heard, summed: Chromium leaves the receiver's totalAudioEnergy at 0 when the
      // audio goes to WebAudio rather than to an element's playout.
      call.energy += (buf.reduce((a, x) => a + x * x, 0) / buf.length) * 0.015;
      const rows = [697, 770, 852, 941].map((f) => goertzel(buf, ctx.sampleRate, f));
      const cols = [1209, 1336, 1477].map((f) => goertzel(buf, ctx.sampleRate, f));
      const r = rows.indexOf(Math.max(...rows)), c = cols.indexOf(Math.max(...cols));
      const rs = [...rows].sort((a, b) => b - a), cs = [...cols].sort((a, b) => b - a);
      const clear = rs[0] > 8 * rs[1] && cs[0] > 8 * cs[1] && rs[0] > 1;
      let key = null;
      if (clear) for (const [k, [fr, fc]] of Object.entries(DTMF)) if (fr === [697, 770, 852, 941][r] && fc === [1209, 1336, 1477][c]) key = k;
      if (key && key !== last) call.keys += key;
      last = key;
    }, 15);
  }
  window.__media = {
    async offer(id) {
      if (ctx.state !== "running") await ctx.resume();
      const pc = new RTCPeerConnection();
      const call = (calls[id] = { pc, keys: "", energy: 0 });
      for (const track of voice().getAudioTracks()) pc.addTrack(track);
      pc.ontrack = (e) => listen(call, e.streams[0] || new MediaStream([e.track]));
      await pc.setLocalDescription(await pc.createOffer());
      if (pc.iceGatheringState !== "complete")
        await new Promise((ok) => pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && ok()));
      return pc.localDescription.sdp;
    },
    async answer(id, sdp) { await calls[id].pc.setRemoteDescription({ type: "answer", sdp }); },
    async stats(id) {
      const out = { bytesReceived: 0, packetsReceived: 0, energy: calls[id].energy, bytesSent: 0, ice: calls[id].pc.iceConnectionState };
      (await calls[id].pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "audio") { out.bytesReceived += s.bytesReceived; out.packetsReceived += s.packetsReceived; }
        if (s.type === "outbound-rtp" && s.kind === "audio") out.bytesSent += s.bytesSent;
      });
      return out;
    },
    keys(id) { return calls[id].keys; },
  };
})()`;

/**
 * Installed in the agent's page before the console loads: keeps every RTCPeerConnection the
 * SDK makes, so the test can read the agent's side of the audio (`agentAudio`).
 */
export function keepPeerConnections() {
  const Native = window.RTCPeerConnection;
  const pcs: RTCPeerConnection[] = ((window as any).__pcs = []);
  (window as any).RTCPeerConnection = class extends Native {
    constructor(...args: any[]) {
      super(...(args as [RTCConfiguration?]));
      pcs.push(this);
    }
  };
}

/**
 * The agent's side of the last call: what the SDK's peer connection received and sent, and the
 * sound it received (summed from a WebAudio analyser on the received track, as at the media
 * server: in headless Chromium the SDK's audio element may not pull the audio, and the
 * receiver's own totalAudioEnergy then stays at 0).
 */
export function agentAudio(page: Page): Promise<{ bytesReceived: number; packetsReceived: number; energy: number; bytesSent: number }> {
  return page.evaluate(async () => {
    const w = window as any;
    const pcs: RTCPeerConnection[] = w.__pcs;
    const out = { bytesReceived: 0, packetsReceived: 0, energy: 0, bytesSent: 0 };
    const pc = pcs[pcs.length - 1];
    if (!pc) return out;
    const track = pc.getReceivers().find((r) => r.track.kind === "audio")?.track;
    if (track && w.__heard?.track !== track) {
      const ctx = (w.__heardCtx ||= new AudioContext());
      if (ctx.state !== "running") await ctx.resume();
      const an = ctx.createAnalyser();
      an.fftSize = 1024;
      const stream = new MediaStream([track]);
      // Chromium renders a remote track for WebAudio only once an element plays it too.
      const el = new Audio();
      el.muted = true;
      el.srcObject = stream;
      el.play().catch(() => {});
      ctx.createMediaStreamSource(stream).connect(an);
      const mute = ctx.createGain();
      mute.gain.value = 0;
      an.connect(mute).connect(ctx.destination);
      const buf = new Float32Array(an.fftSize);
      const heard = { track, energy: 0 };
      setInterval(() => {
        an.getFloatTimeDomainData(buf);
        heard.energy += (buf.reduce((a: number, x: number) => a + x * x, 0) / buf.length) * 0.015;
      }, 15);
      w.__heard = heard;
    }
    out.energy = w.__heard?.energy ?? 0;
    (await pc.getStats()).forEach((s: any) => {
      if (s.type === "inbound-rtp" && s.kind === "audio") {
        out.bytesReceived += s.bytesReceived;
        out.packetsReceived += s.packetsReceived;
      }
      if (s.type === "outbound-rtp" && s.kind === "audio") out.bytesSent += s.bytesSent;
    });
    return out;
  });
}

/** Waits until `read()`'s counters all rise by more than `by` (audio flowing, not a stale total). */
export async function expectRising<T extends Record<string, number>>(read: () => Promise<T>, keys: (keyof T)[], message: string, by = 0) {
  const before = await read();
  await expect
    .poll(async () => {
      const now = await read();
      return keys.filter((k) => !(now[k] - before[k] > by));
    }, { message, timeout: 10_000 })
    .toEqual([]);
}

// warm-transfer's simulated Twilio.Device (simulator mode only). Same interface as
// @twilio/voice-sdk v2's Device and Call, backed by the app's built-in Twilio simulator:
// incoming calls arrive over Server-Sent Events, answers and hang-ups go back as POSTs.
(function () {
  "use strict";

  class Emitter {
    constructor() { this._listeners = {}; }
    on(event, fn) { (this._listeners[event] ||= []).push(fn); return this; }
    off(event, fn) { this._listeners[event] = (this._listeners[event] || []).filter((f) => f !== fn); return this; }
    removeListener(event, fn) { return this.off(event, fn); }
    emit(event, ...args) { for (const fn of [...(this._listeners[event] || [])]) fn(...args); }
  }

  function identityOf(token) {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = part + "===".slice((part.length + 3) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)).grants.identity;
  }

  function twilioError(code, message) {
    return Object.assign(new Error(message), { code, message });
  }

  class Call extends Emitter {
    constructor(device, parameters) {
      super();
      this._device = device;
      this.parameters = parameters;
      this._status = "pending";
      this._muted = false;
    }
    _post(action) {
      return fetch(`/simulator/calls/${encodeURIComponent(this.parameters.CallSid)}/${action}`, { method: "POST" })
        .then((r) => (r.ok ? undefined : r.text().then((t) => { throw twilioError(31000, t || r.statusText); })));
    }
    accept() {
      if (this._status !== "pending") return;
      this._status = "connecting";
      this._post("answer")
        .then(() => { this._status = "open"; this.emit("accept", this); })
        .catch((e) => { this._end(); this.emit("error", e); });
    }
    reject() {
      if (this._status !== "pending") return;
      this._end();
      this._post("reject").catch(() => {});
      this.emit("reject");
    }
    disconnect() {
      if (this._status === "closed") return;
      this._end();
      this._post("hangup").catch(() => {});
      this.emit("disconnect", this);
    }
    mute(muted = true) { this._muted = !!muted; this.emit("mute", this._muted, this); }
    isMuted() { return this._muted; }
    status() { return this._status; }
    sendDigits() {}
    _end() { this._status = "closed"; this._device._forget(this); }
    // The far side ended the call: before it was answered that is a cancel, after it a disconnect.
    _ended() {
      if (this._status === "closed") return;
      const wasRinging = this._status === "pending";
      this._end();
      if (wasRinging) this.emit("cancel"); else this.emit("disconnect", this);
    }
  }

  class Device extends Emitter {
    constructor(token, options) {
      super();
      this._token = token;
      this.identity = identityOf(token);
      this.options = options || {};
      this.state = "unregistered";
      this.calls = new Map();
      this._source = null;
    }
    register() {
      this.state = "registering";
      this.emit("registering");
      return new Promise((resolve, reject) => {
        const source = new EventSource(`/simulator/events?identity=${encodeURIComponent(this.identity)}`);
        this._source = source;
        source.onopen = () => {
          if (this.state === "registered") return;
          this.state = "registered";
          this.emit("registered");
          resolve();
        };
        source.onerror = () => {
          if (this.state !== "registering") return; // EventSource reconnects by itself later on
          source.close();
          this._source = null;
          this.state = "unregistered";
          const err = twilioError(31005, "Cannot reach the Twilio simulator");
          this.emit("error", err);
          reject(err);
        };
        source.onmessage = (m) => this._event(JSON.parse(m.data));
      });
    }
    _event(ev) {
      const call = this.calls.get(ev.call_sid);
      if (ev.type === "ring" && !call) {
        const incoming = new Call(this, { CallSid: ev.call_sid, From: ev.from, To: `client:${this.identity}` });
        this.calls.set(ev.call_sid, incoming);
        this.emit("incoming", incoming);
      } else if (ev.type === "stop-ringing" && call && call.status() === "pending") {
        call._ended();
      } else if (ev.type === "call-ended" && call) {
        call._ended();
      }
    }
    _forget(call) { this.calls.delete(call.parameters.CallSid); }
    unregister() {
      if (this._source) { this._source.close(); this._source = null; }
      this.state = "unregistered";
      this.emit("unregistered");
      return Promise.resolve();
    }
    updateToken(token) { this._token = token; }
    disconnectAll() { for (const call of [...this.calls.values()]) call.disconnect(); }
    destroy() {
      this.disconnectAll();
      if (this._source) { this._source.close(); this._source = null; }
      this.state = "destroyed";
      this.emit("destroyed");
      this._listeners = {};
    }
  }

  window.Twilio = { Device, Call, simulated: true };
})();

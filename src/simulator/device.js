// warm-transfer's simulated Twilio.Device (simulator mode only). Same interface as
// @twilio/voice-sdk v2's Device and Call, backed by the app's built-in Twilio simulator:
// incoming calls arrive over Server-Sent Events, answers and hang-ups go back as POSTs.
//
// The surface (the SDK's, as far as the console uses it):
// - Device(token, options): identity, state, calls, audio, register(), unregister(),
//   updateToken(), disconnectAll(), destroy(); events registering, registered, unregistered,
//   incoming(call), error, destroyed.
// - Call: parameters {CallSid, From, To}, accept(), reject(), disconnect(), mute(bool), isMuted(),
//   status(), sendDigits(digits); events accept, reject, cancel, disconnect, mute, error, and
//   warning(name) / warning-cleared(name) / reconnecting(error) / reconnected when the
//   simulator injects them (SSE `call-quality`).
//   sendDigits throws an Error (code 31000, "Illegal character passed into sendDigits") on
//   anything but 0-9 * # w, and sends only while the call is open: the simulator records the
//   digits on the call and the others in its conference hear them (`w`, a pause, is not heard).
// - device.audio, there from construction: availableInputDevices and availableOutputDevices
//   (Map deviceId → {deviceId, label, kind, groupId}); inputDevice (null until
//   setInputDevice(id) resolves; rejects "Device not found: <id>") and unsetInputDevice();
//   speakerDevices and ringtoneDevices ({get() → Set, set(idOrIds) (rejects "Devices not found:
//   <ids>"), test()}, both {default} at first); isOutputSelectionSupported (true); event
//   deviceChange(lostActiveDevices).
//   The devices: default, builtin-mic, builtin-speaker, and the simulated headset (headset-mic,
//   headset), which the simulator's monitor unplugs and plugs back (SSE `audio-devices`).
//   What follows is the SDK's: each change emits deviceChange once for the outputs, then once
//   for the inputs, with the lost devices that were in use. A lost speaker leaves the output sets
//   (an emptied one gets the default); a lost input device makes inputDevice null, then the
//   default once the SDK's setInputDevice("default") settles. The sets keep the objects they were
//   given, so look a label up by deviceId in the maps: `default` is renamed when the headset
//   comes and goes.
(function () {
  "use strict";

  class Emitter {
    constructor() { this._listeners = {}; }
    on(event, fn) { (this._listeners[event] ||= []).push(fn); return this; }
    addListener(event, fn) { return this.on(event, fn); }
    once(event, fn) {
      const once = (...args) => { this.off(event, once); fn(...args); };
      once.listener = fn;
      return this.on(event, once);
    }
    off(event, fn) {
      this._listeners[event] = (this._listeners[event] || []).filter((f) => f !== fn && f.listener !== fn);
      return this;
    }
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

  // The SDK's plain errors (no code), named as it names them.
  function namedError(name, message) {
    return Object.assign(new Error(message), { name });
  }

  // What the browser would enumerate: the built-in microphone and speakers, the headset while
  // plugged in, and `default` for whichever the system prefers (a headset once plugged in).
  function enumerate(headset) {
    const kinds = [
      ["audioinput", "builtin-mic", "Built-in microphone", "headset-mic", "Simulated headset microphone"],
      ["audiooutput", "builtin-speaker", "Built-in speakers", "headset", "Simulated headset"],
    ];
    return kinds.map(([kind, builtinId, builtinLabel, headsetId, headsetLabel]) => {
      const info = (deviceId, label, groupId) => ({ deviceId, label, kind, groupId });
      const [preferred, group] = headset ? [headsetLabel, "headset"] : [builtinLabel, "builtin"];
      const list = [info("default", `Default - ${preferred}`, group), info(builtinId, builtinLabel, "builtin")];
      if (headset) list.push(info(headsetId, headsetLabel, "headset"));
      return list;
    });
  }

  // speakerDevices and ringtoneDevices: the outputs chosen among the available ones.
  class OutputDevices {
    constructor(available) {
      this._available = available;
      this._active = new Set();
    }
    get() { return this._active; }
    set(idOrIds) {
      const ids = Array.isArray(idOrIds) ? idOrIds : [idOrIds];
      if (!ids.length) return Promise.reject(namedError("InvalidArgumentError", "Must specify at least one device to set"));
      const missing = ids.filter((id) => !this._available.has(id));
      if (missing.length) return Promise.reject(namedError("InvalidArgumentError", `Devices not found: ${missing.join(", ")}`));
      const devices = ids.map((id) => this._available.get(id));
      return Promise.resolve().then(() => {
        this._active.clear();
        devices.forEach((d) => this._active.add(d));
      });
    }
    // The SDK plays a sound through each; here there is nothing to hear.
    test() {
      return this._active.size ? Promise.resolve() : Promise.reject(namedError("InvalidStateError", "No active output devices to test"));
    }
    // A device is gone: an emptied set gets the default output. Returns whether it was in use.
    _delete(device) {
      const was = this._active.delete(device);
      const fallback = this._available.get("default") || this._available.values().next().value;
      if (!this._active.size && fallback) this._active.add(fallback);
      return was;
    }
  }

  class AudioHelper extends Emitter {
    constructor() {
      super();
      this.availableInputDevices = new Map();
      this.availableOutputDevices = new Map();
      this.isOutputSelectionSupported = true;
      this._inputDevice = null;
      this.speakerDevices = new OutputDevices(this.availableOutputDevices);
      this.ringtoneDevices = new OutputDevices(this.availableOutputDevices);
      this._setHeadset(true);
      const output = this.availableOutputDevices.get("default");
      this.speakerDevices.get().add(output);
      this.ringtoneDevices.get().add(output);
    }
    get inputDevice() { return this._inputDevice; }
    setInputDevice(id) {
      return Promise.resolve().then(() => {
        if (typeof id !== "string") throw namedError("InvalidArgumentError", "Must specify the device to set");
        const device = this.availableInputDevices.get(id);
        if (!device) throw namedError("InvalidArgumentError", `Device not found: ${id}`);
        this._inputDevice = device;
      });
    }
    unsetInputDevice() {
      return Promise.resolve().then(() => { this._inputDevice = null; });
    }
    // The simulator plugged the headset in or out: the SDK's steps on a browser devicechange.
    _setHeadset(plugged) {
      const [inputs, outputs] = enumerate(plugged);
      const removeLostOutput = (d) => [this.speakerDevices._delete(d), this.ringtoneDevices._delete(d)].some(Boolean);
      this._update(outputs, this.availableOutputDevices, removeLostOutput);
      this._update(inputs, this.availableInputDevices, (d) => this._removeLostInput(d));
    }
    _update(devices, available, removeLost) {
      const ids = new Set(devices.map((d) => d.deviceId));
      const lost = [...available.values()].filter((d) => !ids.has(d.deviceId));
      const lostActive = [];
      for (const d of lost) {
        available.delete(d.deviceId);
        if (removeLost(d)) lostActive.push(d);
      }
      let changed = lost.length > 0;
      for (const d of devices) {
        const known = available.get(d.deviceId);
        if (!known || known.label !== d.label) {
          available.set(d.deviceId, d);
          changed = true;
        }
      }
      if (changed) this.emit("deviceChange", lostActive);
    }
    _removeLostInput(lost) {
      if (!this._inputDevice || this._inputDevice.deviceId !== lost.deviceId) return false;
      this._inputDevice = null;
      const fallback = this.availableInputDevices.get("default") || this.availableInputDevices.values().next().value;
      if (fallback) this.setInputDevice(fallback.deviceId).catch(() => {});
      return true;
    }
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
      // The SDK's hang-up goes over signalling, and Twilio takes it silently for a call it has
      // already ended. The console may end a call the server already knows is over before this
      // device hears of it on its own feed: look first, so no refused request is logged.
      fetch(`/simulator/calls/${encodeURIComponent(this.parameters.CallSid)}`)
        .then((r) => (r.ok ? r.json() : null))
        .then((c) => c && ["queued", "ringing", "in-progress"].includes(c.status) && this._post("hangup"))
        .catch(() => {});
      this.emit("disconnect", this);
    }
    mute(muted = true) { this._muted = !!muted; this.emit("mute", this._muted, this); }
    isMuted() { return this._muted; }
    status() { return this._status; }
    sendDigits(digits) {
      if (/[^0-9*#w]/.test(digits)) throw twilioError(31000, "Illegal character passed into sendDigits");
      if (this._status !== "open" || !digits) return;
      // Like the SDK, nothing reports how the tones went.
      const url = `/simulator/calls/${encodeURIComponent(this.parameters.CallSid)}/digits`;
      fetch(url, { method: "POST", body: new URLSearchParams({ digits }) }).catch(() => {});
    }
    _end() { this._status = "closed"; this._device._forget(this); }
    // The far side ended the call: before it was answered that is a cancel, after it a disconnect.
    _ended() {
      if (this._status === "closed") return;
      const wasRinging = this._status === "pending";
      this._end();
      if (wasRinging) this.emit("cancel"); else this.emit("disconnect", this);
    }
    // What the network does to a live call, as the SDK reports it (the simulator injects it).
    _quality(event, name) {
      if (event === "reconnecting") {
        this._status = "reconnecting";
        this.emit("reconnecting", twilioError(53405, "Media connection failed or Media activity ceased"));
      } else if (event === "reconnected") {
        this._status = "open";
        this.emit("reconnected");
      } else {
        this.emit(event, name, {});
      }
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
      this.audio = new AudioHelper();
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
      } else if (ev.type === "call-quality" && call && call.status() !== "closed") {
        call._quality(ev.event, ev.name);
      } else if (ev.type === "audio-devices") {
        this.audio._setHeadset(ev.headset);
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

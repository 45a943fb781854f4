// Test double of the Twilio Voice SDK v2's `Twilio.Device` and `Call`, served by the browser
// tests in place of /vendor/twilio.min.js. Test code only: never shipped.
// The test drives it through `window.__voice` (incoming calls, errors, token expiry, audio
// devices plugged in and out: `plug(kind, id, label)`, `unplug(id)`, the signalling socket
// dropping: `dropSignal()` / `signalBack()`). Its events come in the real SDK's order
// (end2end/tests/real-sdk.spec.ts runs the real one).
(function () {
  class Emitter {
    constructor() { this._l = {}; }
    on(ev, fn) { (this._l[ev] ||= []).push(fn); return this; }
    off(ev, fn) { this._l[ev] = (this._l[ev] || []).filter((f) => f !== fn); return this; }
    emit(ev, ...args) { for (const fn of [...(this._l[ev] || [])]) fn(...args); }
    listenerCount(ev) { return (this._l[ev] || []).length; }
  }

  const control = {
    devices: [],
    calls: [],
    log: [],
    failRegister: null, // set to {code, message} to make register() reject
    get device() { return this.devices[this.devices.length - 1]; },
    incoming(params) {
      const call = new Call(params);
      this.calls.push(call);
      this.device.emit("incoming", call);
      return call;
    },
    lastCall() { return this.calls[this.calls.length - 1]; },
    dropSignal() { this.device._dropSignal(); },
    signalBack() { this.device._signalBack(); },
    // The browser's devices, as every Device's `audio` lists them.
    media: [
      { kind: "audioinput", deviceId: "default", label: "Default - Built-in microphone" },
      { kind: "audioinput", deviceId: "builtin-mic", label: "Built-in microphone" },
      { kind: "audioinput", deviceId: "headset-mic", label: "USB headset microphone" },
      { kind: "audiooutput", deviceId: "default", label: "Default - Built-in speakers" },
      { kind: "audiooutput", deviceId: "headset", label: "USB headset" },
    ],
    plug(kind, deviceId, label) { this.media.push({ kind, deviceId, label }); this.devices.forEach((d) => d.audio._update()); },
    unplug(deviceId) { this.media = this.media.filter((m) => m.deviceId !== deviceId); this.devices.forEach((d) => d.audio._update()); },
  };

  function notFound(message) { return Promise.reject(Object.assign(new Error(message), { name: "InvalidArgumentError" })); }

  // `device.audio` as the SDK has it: lists, the input device, the output sets, deviceChange.
  class AudioHelper extends Emitter {
    constructor() {
      super();
      this.availableInputDevices = new Map();
      this.availableOutputDevices = new Map();
      this.inputDevice = null;
      this.isOutputSelectionSupported = true;
      const outputs = (name) => ({
        ids: new Set(["default"]),
        get: () => new Set([...outputs_[name].ids].map((id) => this.availableOutputDevices.get(id))),
        set: (ids) => {
          ids = [].concat(ids);
          const missing = ids.filter((id) => !this.availableOutputDevices.has(id));
          if (missing.length) return notFound(`Devices not found: ${missing.join(", ")}`);
          control.log.push(`${name} ${ids.join(",")}`);
          outputs_[name].ids = new Set(ids);
          return Promise.resolve();
        },
        test: () => Promise.resolve(),
      });
      const outputs_ = { speaker: outputs("speaker"), ringtone: outputs("ringtone") };
      this.speakerDevices = outputs_.speaker;
      this.ringtoneDevices = outputs_.ringtone;
      this._update(true);
    }
    setInputDevice(id) {
      const device = this.availableInputDevices.get(id);
      if (!device) return notFound(`Device not found: ${id}`);
      control.log.push(`microphone ${id}`);
      this.inputDevice = device;
      return Promise.resolve();
    }
    unsetInputDevice() { control.log.push("microphone default"); this.inputDevice = null; return Promise.resolve(); }
    _update(first) {
      const lost = [];
      const fill = (map, kind) => {
        const now = control.media.filter((m) => m.kind === kind);
        for (const id of [...map.keys()]) if (!now.some((m) => m.deviceId === id)) { lost.push(map.get(id)); map.delete(id); }
        for (const m of now) map.set(m.deviceId, { ...m, groupId: "" });
      };
      fill(this.availableInputDevices, "audioinput");
      fill(this.availableOutputDevices, "audiooutput");
      if (this.inputDevice && !this.availableInputDevices.has(this.inputDevice.deviceId)) this.inputDevice = null;
      for (const set of [this.speakerDevices, this.ringtoneDevices]) {
        for (const id of [...set.ids]) if (!this.availableOutputDevices.has(id)) set.ids.delete(id);
        if (!set.ids.size) set.ids.add("default");
      }
      if (!first) setTimeout(() => this.emit("deviceChange", lost), 0);
    }
  }

  class Call extends Emitter {
    constructor(params) {
      super();
      this.parameters = { From: "+15551230000", To: "client:agent", ...params };
      this._status = "pending";
      this._muted = false;
    }
    accept() { control.log.push("accept"); this._status = "open"; setTimeout(() => this.emit("accept", this), 0); }
    reject() { control.log.push("reject"); this._status = "closed"; setTimeout(() => this.emit("reject"), 0); }
    disconnect() { control.log.push("disconnect"); this._status = "closed"; setTimeout(() => this.emit("disconnect", this), 0); }
    mute(m = true) { this._muted = m; control.log.push(m ? "mute" : "unmute"); }
    // As the SDK: DTMF keys only, anything else throws.
    sendDigits(d) {
      if (!/^[0-9*#w]+$/.test(d)) throw Object.assign(new Error("Illegal character passed into sendDigits"), { code: 31000 });
      control.log.push(`digits ${d}`);
    }
    isMuted() { return this._muted; }
    status() { return this._status; }
    // What Twilio does when the far end goes away.
    remoteHangup() { this._status = "closed"; this.emit("disconnect", this); }
    // The signalling socket dropped: a call with a reconnect token reconnects, any other is
    // closed with no `disconnect` (the status is set just after the event, as the SDK does).
    _transportClose(canReconnect) {
      this.emit("transportClose");
      if (canReconnect) { this._status = "reconnecting"; this.emit("reconnecting", { code: 53001, message: "Signaling connection disconnected" }); }
      else this._status = "closed";
    }
    _signalBack() { if (this._status === "reconnecting") { this._status = "open"; this.emit("reconnected"); } }
    cancel() { this._status = "closed"; this.emit("cancel"); }
  }

  class Device extends Emitter {
    constructor(token, options) {
      super();
      if (typeof token !== "string" || token.split(".").length !== 3) throw new Error("invalid token");
      this.token = token;
      this.options = options;
      this.state = "unregistered";
      this.audio = new AudioHelper();
      control.devices.push(this);
      control.log.push("new Device");
    }
    get identity() { return JSON.parse(atob(this.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).grants.identity; }
    register() {
      control.log.push("register");
      if (control.failRegister) {
        const err = control.failRegister;
        return Promise.reject(Object.assign(new Error(err.message), err));
      }
      this.state = "registering";
      this.emit("registering");
      this.state = "registered";
      setTimeout(() => this.emit("registered"), 0);
      return Promise.resolve();
    }
    // As the SDK when its socket drops: error 31005, the calls told, `unregistered`.
    _dropSignal() {
      this.emit("error", { code: 31005, message: "Websocket connection to Twilio's signaling servers were unexpectedly ended" });
      const reconnect = !!(this.options && this.options.maxCallSignalingTimeoutMs > 0);
      control.calls.filter((c) => c._status === "open").forEach((c) => c._transportClose(reconnect));
      this.state = "unregistered";
      this.emit("unregistered");
    }
    // ...and when it is back: registering, registered, the calls reconnected.
    _signalBack() {
      this.state = "registering";
      this.emit("registering");
      this.state = "registered";
      this.emit("registered");
      control.calls.forEach((c) => c._signalBack());
    }
    unregister() { this.state = "unregistered"; setTimeout(() => this.emit("unregistered"), 0); return Promise.resolve(); }
    updateToken(t) { control.log.push("updateToken"); this.token = t; }
    disconnectAll() { control.calls.forEach((c) => c.status() !== "closed" && c.disconnect()); }
    destroy() { control.log.push("destroy"); this.state = "destroyed"; this.emit("destroyed"); this._l = {}; }
  }

  window.Twilio = { Device, Call };
  window.__voice = control;
})();

// The fake microphone of the real-SDK browser tests: a voice-like sound written as a WAV file
// at start (Chromium's `--use-file-for-fake-audio-capture`). A steady tone would be taken for
// noise by the browser's noise suppression and replaced by comfort noise; this is made like
// speech (a glottal pulse train gliding in pitch, shaped by formant resonances, in syllables
// with pauses, a little breath noise), so what the agent "says" reaches the far end as sound.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const SPEECH_WAV = path.join(os.tmpdir(), "warm-transfer-e2e-speech.wav");

export function writeSpeechWav(file = SPEECH_WAV, seconds = 6, rate = 48_000) {
  const n = seconds * rate;
  const samples = new Int16Array(n);
  // Two-pole resonators at formant frequencies (the vowel drifts between "a" and "e").
  const resonator = (bw: number) => {
    const r = Math.exp((-Math.PI * bw) / rate);
    let y1 = 0;
    let y2 = 0;
    return (x: number, f: number) => {
      const y = (1 - r) * x + 2 * r * Math.cos((2 * Math.PI * f) / rate) * y1 - r * r * y2;
      y2 = y1;
      y1 = y;
      return y;
    };
  };
  const f1 = resonator(110);
  const f2 = resonator(130);
  const f3 = resonator(200);
  let phase = 0;
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const pitch = 120 + 40 * Math.sin(2 * Math.PI * 0.6 * t) + 15 * Math.sin(2 * Math.PI * 3.1 * t);
    phase += pitch / rate;
    if (phase >= 1) phase -= 1;
    const pulse = phase < 0.1 ? 1 - phase / 0.1 : 0; // a glottal pulse each period
    const excitation = pulse + 0.05 * noise();
    const vowel = 0.5 + 0.5 * Math.sin(2 * Math.PI * 0.35 * t);
    const y = f1(excitation, 600 + 250 * vowel) * 1.0 + f2(excitation, 1100 + 700 * vowel) * 0.7 + f3(excitation, 2500) * 0.3;
    // Syllables four times a second, and a pause of 0.4 s every 2 s.
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t)) ** 0.6;
    const pause = t % 2 > 1.6 ? 0 : 1;
    samples[i] = Math.max(-32767, Math.min(32767, Math.round(y * syllable * pause * 14000)));
  }
  const data = Buffer.from(samples.buffer);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8);
  header.write("fmt ", 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(data.length, 40);
  fs.writeFileSync(file, Buffer.concat([header, data]));
}

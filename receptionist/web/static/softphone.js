// The browser softphone on /try: the microphone as 8 kHz μ-law over Twilio's Media Streams
// protocol to /twilio/media (the same session a phone call gets), the receptionist's audio
// played back, its marks echoed once played and cleared on "clear", as Twilio does.
"use strict";

(() => {
  const start = document.getElementById("call-start");
  if (!start) return;
  const end = document.getElementById("call-end");
  const status = document.getElementById("call-status");
  const RATE = 8000;
  const FRAME = 160; // 20 ms of 8 kHz μ-law
  let call = null;

  function toMulaw(s) { // 16-bit linear PCM -> G.711 μ-law
    const BIAS = 0x84, CLIP = 32635;
    const sign = s < 0 ? 0x80 : 0;
    if (sign) s = -s;
    if (s > CLIP) s = CLIP;
    s += BIAS;
    let exponent = 7;
    for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; exponent--, mask >>= 1) { /* find */ }
    const mantissa = (s >> (exponent + 3)) & 0x0f;
    return ~(sign | (exponent << 4) | mantissa) & 0xff;
  }

  function fromMulaw(u) { // G.711 μ-law -> 16-bit linear PCM
    u = ~u & 0xff;
    const sign = u & 0x80, exponent = (u >> 4) & 0x07, mantissa = u & 0x0f;
    const s = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    return sign ? -s : s;
  }

  function b64(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }

  async function begin() {
    start.disabled = true;
    status.textContent = "Calling…";
    const r = await window.receptionist.send(start.dataset.startUrl, { method: "POST" });
    if (!r.ok) {
      status.textContent = "Could not call: " + (await r.text());
      start.disabled = false;
      return;
    }
    const info = await r.json();
    const media = await navigator.mediaDevices.getUserMedia({ audio: true });
    const ctx = new AudioContext();
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + location.host + info.stream_path);
    call = { ws, ctx, media, playhead: 0, sources: [], pending: [], seq: 1, chunk: 0,
             out: [], received: 0, sent: 0, replies: 0, listening: true };
    window.receptionist.softphone = call; // read by the browser tests
    const send = (event, body) => ws.send(JSON.stringify(Object.assign(
      { event, sequenceNumber: String(call.seq++), streamSid: info.stream_sid }, body)));

    ws.onopen = () => {
      ws.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
      send("start", { start: { streamSid: info.stream_sid, callSid: info.call_sid,
        accountSid: "", tracks: ["inbound"], customParameters: info.parameters,
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: RATE, channels: 1 } } });
      status.textContent = "Connected: say hello.";
      end.disabled = false;
      const source = ctx.createMediaStreamSource(media);
      const tap = ctx.createScriptProcessor(4096, 1, 1);
      const step = ctx.sampleRate / RATE;
      let carry = 0;
      tap.onaudioprocess = (e) => {
        const input = e.inputBuffer.getChannelData(0);
        for (let pos = carry; pos < input.length; pos += step) {
          const s = Math.max(-1, Math.min(1, input[Math.floor(pos)]));
          call.out.push(toMulaw(Math.round(s * 32767)));
          carry = pos + step - input.length;
        }
        while (call.out.length >= FRAME && ws.readyState === WebSocket.OPEN) {
          const frame = Uint8Array.from(call.out.splice(0, FRAME));
          call.chunk += 1;
          send("media", { media: { track: "inbound", chunk: String(call.chunk),
            timestamp: String(call.chunk * 20), payload: b64(frame) } });
          call.sent += 1;
        }
      };
      source.connect(tap);
      tap.connect(ctx.destination); // a ScriptProcessor only runs when connected
      call.tap = tap;
    };

    ws.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.event === "media") {
        const bytes = atob(frame.media.payload);
        const buffer = ctx.createBuffer(1, bytes.length, RATE);
        const samples = buffer.getChannelData(0);
        for (let i = 0; i < bytes.length; i++) samples[i] = fromMulaw(bytes.charCodeAt(i)) / 32768;
        const node = ctx.createBufferSource();
        node.buffer = buffer;
        node.connect(ctx.destination);
        call.playhead = Math.max(call.playhead, ctx.currentTime);
        node.start(call.playhead);
        call.playhead += buffer.duration;
        call.sources.push(node);
        node.onended = () => { call.sources = call.sources.filter((n) => n !== node); };
        call.received += 1;
        if (call.listening) call.replies += 1; // a new reply starts (the greeting is the first)
        call.listening = false;
        status.textContent = "The receptionist is speaking…";
      } else if (frame.event === "mark") {
        const name = frame.mark.name;
        const wait = Math.max(0, call.playhead - ctx.currentTime) * 1000;
        const timer = setTimeout(() => {
          call.pending = call.pending.filter((p) => p.timer !== timer);
          if (ws.readyState === WebSocket.OPEN) send("mark", { mark: { name } });
          if (!call.pending.length) { // everything sent so far was played
            call.listening = true;
            status.textContent = "Listening…";
          }
        }, wait);
        call.pending.push({ name, timer });
      } else if (frame.event === "clear") {
        call.sources.forEach((n) => n.stop());
        call.sources = [];
        call.playhead = ctx.currentTime;
        call.pending.forEach((p) => { // Twilio answers a clear with every pending mark
          clearTimeout(p.timer);
          send("mark", { mark: { name: p.name } });
        });
        call.pending = [];
      }
    };

    ws.onclose = () => finish("Call ended.");
  }

  function finish(text) {
    if (!call) return;
    const c = call;
    call = null;
    if (c.ws.readyState === WebSocket.OPEN) {
      c.ws.send(JSON.stringify({ event: "stop", streamSid: "", stop: {} }));
      c.ws.close();
    }
    if (c.tap) c.tap.disconnect();
    c.media.getTracks().forEach((t) => t.stop());
    c.ctx.close();
    status.textContent = text;
    start.disabled = false;
    end.disabled = true;
  }

  start.addEventListener("click", () => begin().catch((e) => {
    status.textContent = "Could not call: " + e.message;
    start.disabled = false;
  }));
  end.addEventListener("click", () => finish("You hung up."));
})();

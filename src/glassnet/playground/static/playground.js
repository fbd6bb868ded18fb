// glassnet Playground page: draws what the server's training session sends over the WebSocket and
// sends the page's buttons and controls back. Plain JS and canvas; nothing is loaded from elsewhere.
"use strict";
(() => {
  const ORANGE = [245, 147, 34], WHITE = [232, 234, 235], BLUE = [8, 119, 189];
  const CLASS_COLORS = [ORANGE, BLUE, [60, 170, 90], [200, 60, 160], [120, 90, 200]];
  const FEATURE_LABELS = {x: "X₁", y: "X₂", xSquared: "X₁²", ySquared: "X₂²", xTimesY: "X₁X₂",
                          sinX: "sin(X₁)", sinY: "sin(X₂)"};
  const MAX_FRAMES = 200;
  const $ = (id) => document.getElementById(id);
  // the launch token from the address `glassnet playground` printed: training, uploads and exports need it
  const TOKEN = new URLSearchParams(location.search).get("token") || "";
  const withToken = (path) => `${path}?token=${encodeURIComponent(TOKEN)}`;
  const page = {schema: null, settings: null, layout: null, latest: null, history: [], frames: [],
                session: null, socket: null, playing: false, replaying: false, states: 0, resets: 0,
                diverged: null};
  window.glassnetPlayground = page;

  // ----- colours and maps -----
  function mix(a, b, t) { return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)); }
  function colorOf(v) {  // v in [-1, 1]: orange, white, blue as TensorFlow Playground
    v = Math.max(-1, Math.min(1, v));
    return v < 0 ? mix(WHITE, ORANGE, -v) : mix(WHITE, BLUE, v);
  }
  function decode(base64, Kind) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return new Kind(bytes.buffer);
  }
  const FEATURES = {x: (a, b) => a, y: (a, b) => b, xSquared: (a, b) => a * a, ySquared: (a, b) => b * b,
                    xTimesY: (a, b) => a * b, sinX: (a, b) => Math.sin(a), sinY: (a, b) => Math.sin(b)};
  function featureMap(name, size) {  // the feature over the plane [-6, 6]², scaled to [-127, 127]
    const values = [];
    for (let row = 0; row < size; row++) for (let col = 0; col < size; col++) {
      values.push(FEATURES[name]((col + 0.5) / size * 12 - 6, 6 - (row + 0.5) / size * 12));
    }
    const top = Math.max(...values.map(Math.abs));
    return values.map((v) => v / top * 127);
  }
  function paintMap(canvas, values, size, classes, discretize) {
    canvas.width = size; canvas.height = size;
    const ctx = canvas.getContext("2d"), image = ctx.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      let v = values[i] / 127, rgb;
      if (classes) rgb = mix(WHITE, CLASS_COLORS[classes[i]], discretize ? 1 : Math.max(0, (v - 0.2) / 0.8));
      else rgb = colorOf(discretize ? (v >= 0 ? 1 : -1) : v);
      image.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
    }
    ctx.putImageData(image, 0, 0);
  }

  // ----- messages and URL -----
  let messageTimer = null;
  function say(text, isError = true) {
    const box = $("message");
    box.textContent = text; box.hidden = false; box.className = isError ? "error" : "info";
    clearTimeout(messageTimer);
    messageTimer = setTimeout(() => { box.hidden = true; }, 15000);
  }
  function send(message) {
    if (page.socket && page.socket.readyState === WebSocket.OPEN) page.socket.send(JSON.stringify(message));
  }
  function sendConfig(changes) { send({type: "config", settings: changes}); }
  function writeUrl() {
    if (page.urlChanges) return;  // the URL's own settings are on their way to the server
    const params = new URLSearchParams();
    for (const name of Object.keys(page.schema.settings)) {
      const value = page.settings[name];
      params.set(name, Array.isArray(value) ? value.join(",") : String(value));
    }
    history.replaceState(null, "", "#" + params.toString());
  }
  function readUrl() {
    const params = new URLSearchParams(location.hash.slice(1)), changes = {}, unknown = [];
    for (const [name, value] of params) {
      if (name in page.schema.settings) changes[name] = value; else unknown.push(name);
    }
    if (unknown.length) say(`ignored unknown URL setting(s): ${unknown.join(", ")}`);
    return changes;
  }

  // ----- controls -----
  function buildControls() {
    const choices = {activation: "activation", regularization: "regularization", optimizer: "optimizer"};
    for (const [id, name] of Object.entries(choices)) {
      for (const choice of page.schema.settings[name].limits) $(id).add(new Option(choice, choice));
    }
    for (const [name, info] of Object.entries(page.schema.datasets)) {
      const button = document.createElement("button");
      button.dataset.dataset = name;
      if (page.schema.previews[name]) button.appendChild(preview(page.schema.previews[name], info.problem));
      button.appendChild(document.createTextNode(info.label));
      button.title = info.problem ? info.problem : "upload a CSV below";
      button.addEventListener("click", () => sendConfig({dataset: name}));
      $("datasets").appendChild(button);
    }
    for (const element of document.querySelectorAll("[data-setting]")) {
      element.addEventListener("change", () => {
        const value = element.type === "checkbox" ? element.checked : element.value;
        if (element.dataset.setting === "showTestData" || element.dataset.setting === "discretize") {
          page.settings[element.dataset.setting] = value; drawOutput();
        }
        sendConfig({[element.dataset.setting]: value});
      });
      element.addEventListener("input", () => {
        const label = $(element.id + "-value");
        if (label) label.textContent = element.value;
      });
    }
    $("play-pause").addEventListener("click", () => send({type: page.playing ? "pause" : "play"}));
    $("step-button").addEventListener("click", () => send({type: "step"}));
    $("reset-button").addEventListener("click", () => send({type: "reset"}));
    $("regenerate").addEventListener("click", () => send({type: "regenerate"}));
    $("add-layer").addEventListener("click", () => changeShape((s) => s.length < page.schema.maxHiddenLayers && s.push(2)));
    $("remove-layer").addEventListener("click", () => changeShape((s) => s.pop()));
    $("csv-file").addEventListener("change", upload);
    $("export-py").addEventListener("click", (event) => { event.preventDefault(); download("py"); });
    $("export-gn").addEventListener("click", (event) => { event.preventDefault(); download("gn"); });
    $("timeline").addEventListener("input", () => showFrame(Number($("timeline").value)));
    $("timeline-play").addEventListener("click", replay);
    $("weight-value").addEventListener("keydown", editWeight);
  }
  function pointColor(label, problem) {
    if (problem === "regression") return colorOf(label);
    return problem === "multiclass" ? CLASS_COLORS[label] : (label > 0 ? BLUE : ORANGE);
  }
  function preview(points, problem) {
    const canvas = document.createElement("canvas"), ctx = canvas.getContext("2d");
    canvas.width = canvas.height = 60;
    for (const [x1, x2, label] of points) {
      ctx.fillStyle = `rgb(${pointColor(label, problem).join(",")})`;
      ctx.fillRect((x1 + 6) / 12 * 60 - 1, (6 - x2) / 12 * 60 - 1, 2.5, 2.5);
    }
    return canvas;
  }
  function changeShape(edit) {
    const shape = page.settings.networkShape.slice();
    edit(shape);
    sendConfig({networkShape: shape});
  }
  function showSettings() {
    const s = page.settings;
    for (const element of document.querySelectorAll("[data-setting]")) {
      const value = s[element.dataset.setting];
      if (element.type === "checkbox") element.checked = value;
      else {
        if (element.tagName === "SELECT" && ![...element.options].some((o) => Number(o.value) === value || o.value === value)) {
          element.add(new Option(String(value), String(value)));
        }
        element.value = element.tagName === "SELECT" && typeof value === "number"
          ? [...element.options].find((o) => Number(o.value) === value).value : value;
      }
      const label = $(element.id + "-value");
      if (label) label.textContent = value;
    }
    for (const option of document.querySelectorAll(".optimizer-option")) {
      option.hidden = !option.dataset.for.split(" ").includes(s.optimizer);
    }
    for (const button of $("datasets").children) button.classList.toggle("selected", button.dataset.dataset === s.dataset);
    $("layer-count").textContent = s.networkShape.length;
    writeUrl();
  }

  // ----- the network drawing -----
  function buildNetwork() {
    const layout = page.layout, layers = $("layers");
    layers.innerHTML = "";
    page.hovered = null;
    const column = (title) => {
      const element = document.createElement("div");
      element.className = "layer";
      const head = document.createElement("div");
      head.className = "layer-head"; head.innerHTML = title;
      element.appendChild(head);
      layers.appendChild(element);
      return element;
    };
    const node = (parent, cls) => {
      const element = document.createElement("div");
      element.className = "node " + cls;
      const canvas = document.createElement("canvas");
      element.appendChild(canvas); parent.appendChild(element);
      return element;
    };
    page.nodes = [];
    const inputs = column("Features");
    const features = [];
    page.schema.features.forEach((name) => {
      const element = hoverable(node(inputs, "feature"), () => featureMap(name, layout.neuronGrid));
      const on = page.settings[name];
      const label = document.createElement("span");
      label.className = "name"; label.textContent = FEATURE_LABELS[name];
      element.appendChild(label);
      element.title = `${FEATURE_LABELS[name]}: click to turn ${on ? "off" : "on"}`;
      element.querySelector("canvas").classList.toggle("off", !on);
      element.addEventListener("click", () => sendConfig({[name]: !page.settings[name]}));
      element.dataset.feature = name;
      paintMap(element.querySelector("canvas"), featureMap(name, layout.neuronGrid), layout.neuronGrid);
      if (on) features.push(element);
    });
    page.nodes.push(features);
    page.settings.networkShape.forEach((width, l) => {
      const hidden = column(`<button class="add-neuron" data-layer="${l}">+</button> ` +
                            `<button class="remove-neuron" data-layer="${l}">&minus;</button><br>${width} neurons`);
      hidden.querySelector(".add-neuron").addEventListener("click", () =>
        changeShape((s) => { s[l] = Math.min(page.schema.maxNeurons, s[l] + 1); }));
      hidden.querySelector(".remove-neuron").addEventListener("click", () =>
        changeShape((s) => { s[l] = Math.max(1, s[l] - 1); }));
      page.nodes.push(Array.from({length: width}, (_, i) => hoverable(node(hidden, "neuron"),
        () => decode(page.latest.neurons[l][i], Int8Array))));
    });
    const outputs = column("Output");
    page.nodes.push(Array.from({length: layout.shape[layout.shape.length - 1]}, (_, k) => {
      const element = node(outputs, "output");
      if (layout.problem === "multiclass") {
        const canvas = element.querySelector("canvas");
        canvas.width = canvas.height = 1;
        const ctx = canvas.getContext("2d");
        ctx.fillStyle = `rgb(${CLASS_COLORS[k].join(",")})`; ctx.fillRect(0, 0, 1, 1);
        element.title = `class ${k}`;
      }
      return element;
    }));
    requestAnimationFrame(buildLinks);
  }
  function hoverable(element, values) {
    element.addEventListener("mouseenter", () => { page.hovered = values; drawOutput(); });
    element.addEventListener("mouseleave", () => { page.hovered = null; drawOutput(); });
    return element;
  }
  function center(element) {
    const box = element.getBoundingClientRect(), origin = $("network").getBoundingClientRect();
    return [box.left - origin.left + box.width / 2, box.top - origin.top + box.height / 2];
  }
  function buildLinks() {
    const svg = $("links"), area = $("network").getBoundingClientRect();
    svg.setAttribute("width", area.width); svg.setAttribute("height", area.height);
    svg.innerHTML = "";
    page.links = [];
    for (let l = 0; l + 1 < page.nodes.length; l++) {
      page.nodes[l + 1].forEach((target, to) => page.nodes[l].forEach((source, from) => {
        const [x1, y1] = center(source), [x2, y2] = center(target), mid = (x1 + x2) / 2;
        const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
        path.setAttribute("d", `M${x1 + 18},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 18},${y2}`);
        Object.assign(path.dataset, {layer: l, to, from});
        path.addEventListener("click", (event) => openEditor(event, l, to, from));
        svg.appendChild(path);
        page.links.push(path);
      }));
    }
    if (page.latest) drawLinks();
  }
  function drawLinks() {
    for (const path of page.links || []) {
      const w = page.latest.weights[path.dataset.layer]?.[path.dataset.to]?.[path.dataset.from];
      if (w === undefined) continue;
      if (w === null) {  // not a finite number: the network diverged
        path.setAttribute("stroke", "#c00"); path.setAttribute("stroke-width", "1");
        path.dataset.weight = "NaN"; path.innerHTML = "<title>weight NaN (diverged)</title>";
        continue;
      }
      const [r, g, b] = colorOf(w >= 0 ? 1 : -1);
      path.setAttribute("stroke", `rgb(${r},${g},${b})`);
      path.setAttribute("stroke-width", Math.min(8, 0.5 + 6 * Math.abs(w)).toFixed(2));
      path.setAttribute("stroke-opacity", "0.7");
      path.dataset.weight = w;
      path.innerHTML = `<title>weight ${w.toFixed(3)} (click to edit)</title>`;
    }
  }
  function openEditor(event, layer, to, from) {
    const editor = $("weight-editor"), origin = $("network-column").getBoundingClientRect();
    editor.style.left = `${event.clientX - origin.left}px`; editor.style.top = `${event.clientY - origin.top}px`;
    editor.hidden = false;
    Object.assign(editor.dataset, {layer, to, from});
    $("weight-value").value = page.latest.weights[layer][to][from];
    $("weight-value").focus();
  }
  function editWeight(event) {
    const editor = $("weight-editor");
    if (event.key === "Escape") editor.hidden = true;
    if (event.key !== "Enter") return;
    const value = Number($("weight-value").value);
    if (!Number.isFinite(value)) { say("a weight must be a number"); return; }
    send({type: "setWeight", layer: Number(editor.dataset.layer), to: Number(editor.dataset.to),
          from: Number(editor.dataset.from), value});
    editor.hidden = true;
  }

  // ----- the output: heatmap, points, losses, timeline, gradient flow -----
  function drawOutput(frame) {
    const shown = frame || page.latest, layout = page.layout;
    if (!shown || !layout) return;
    const map = document.createElement("canvas");  // a hovered node shows its own map, as in TF Playground
    if (page.hovered && !frame) paintMap(map, page.hovered(), layout.neuronGrid, null, page.settings.discretize);
    else paintMap(map, decode(shown.output, Int8Array), layout.grid,
                  shown.outputClass ? decode(shown.outputClass, Uint8Array) : null, page.settings.discretize);
    const canvas = $("heatmap"), ctx = canvas.getContext("2d"), size = canvas.width;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(map, 0, 0, size, size);
    const point = ([x1, x2, label], stroke) => {
      const rgb = pointColor(label, layout.problem);
      ctx.beginPath();
      ctx.arc((x1 + 6) / 12 * size, (6 - x2) / 12 * size, 3, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${rgb.join(",")})`; ctx.fill();
      ctx.strokeStyle = stroke; ctx.lineWidth = 1; ctx.stroke();
    };
    layout.train.forEach((p) => point(p, "#fff"));
    if (page.settings.showTestData) layout.test.forEach((p) => point(p, "#000"));
  }
  function drawLossCurve() {
    const canvas = $("loss-curve"), ctx = canvas.getContext("2d"), h = page.history;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (h.length < 2) return;
    const top = Math.max(...h.map((e) => Math.max(e[1], e[2]))) || 1;
    for (const [column, color] of [[1, "#aaa"], [2, "#333"]]) {
      ctx.beginPath(); ctx.strokeStyle = color;
      h.forEach((e, i) => {
        const x = i / (h.length - 1) * canvas.width, y = canvas.height - e[column] / top * (canvas.height - 2);
        i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
      });
      ctx.stroke();
    }
  }
  function drawGradFlow(values) {
    const canvas = $("grad-flow"), ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const width = canvas.width / Math.max(1, values.length);
    ctx.font = "10px sans-serif";
    ctx.textAlign = "center";
    values.forEach((v, i) => {  // log scale: 1e-6 at the bottom, 1 at the top; null: not a finite number
      const height = v > 0 ? Math.max(0, Math.min(1, (Math.log10(v) + 6) / 6)) * (canvas.height - 26) : 0;
      const middle = (i + 0.5) * width;
      ctx.fillStyle = "#0877bd";
      ctx.fillRect(i * width + 4, canvas.height - 12 - height, width - 8, height);
      ctx.fillStyle = "#333";
      ctx.fillText(i === values.length - 1 ? "out" : `L${i + 1}`, middle, canvas.height - 1);
      ctx.fillText(v === null ? "NaN" : v.toExponential(0), middle, canvas.height - 14 - height);
    });
  }
  function recordFrame(state) {
    const last = page.frames[page.frames.length - 1];
    if (last && last.epoch === state.epoch) return;
    page.frames.push({epoch: state.epoch, output: state.output, outputClass: state.outputClass});
    if (page.frames.length > MAX_FRAMES) page.frames = page.frames.filter((_, i) => i % 2 === 0 || i === page.frames.length - 1);
    const slider = $("timeline"), atEnd = !page.replaying;
    slider.max = page.frames.length - 1;
    if (atEnd) { slider.value = slider.max; $("timeline-epoch").textContent = "live"; }
  }
  function showFrame(index) {
    const frame = page.frames[index];
    page.replaying = index < page.frames.length - 1;
    $("timeline-epoch").textContent = page.replaying ? `epoch ${frame.epoch}` : "live";
    drawOutput(page.replaying ? frame : null);
  }
  function replay() {
    let index = 0;
    const tick = () => {
      if (index >= page.frames.length) { showFrame(page.frames.length - 1); return; }
      $("timeline").value = index; showFrame(index); index += 1;
      setTimeout(tick, 50);
    };
    tick();
  }
  function showState(state) {
    page.latest = state; page.states += 1;
    $("epoch").textContent = String(state.epoch).padStart(6, "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const shown = (loss) => loss === null ? "diverged" : loss.toFixed(3);  // null: not a finite number
    $("loss-train").textContent = shown(state.trainLoss);
    $("loss-test").textContent = shown(state.testLoss);
    $("loss-test").dataset.value = state.testLoss;
    if (state.diverged && state.diverged !== page.diverged) say(state.diverged);
    page.diverged = state.diverged || null;
    $("output-column").classList.toggle("diverged", Boolean(state.diverged));
    const last = page.history[page.history.length - 1], finite = state.trainLoss !== null && state.testLoss !== null;
    if (finite && (!last || last[0] !== state.epoch)) page.history.push([state.epoch, state.trainLoss, state.testLoss]);
    if (page.history.length > 1000) page.history = page.history.filter((_, i) => i % 2 === 0);
    state.neurons.forEach((layer, l) => layer.forEach((map, i) => {
      const element = page.nodes[l + 1]?.[i];
      if (element) paintMap(element.querySelector("canvas"), decode(map, Int8Array), page.layout.neuronGrid);
    }));
    if (page.layout.problem !== "multiclass") {
      paintMap(page.nodes[page.nodes.length - 1][0].querySelector("canvas"), decode(state.output, Int8Array), page.layout.grid);
    }
    drawLinks(); drawLossCurve(); drawGradFlow(state.gradFlow); recordFrame(state);
    if (!page.replaying) drawOutput();
  }

  // ----- upload and export -----
  async function upload() {
    const file = $("csv-file").files[0];
    if (!file) return;
    if (file.size > page.schema.maxUploadBytes) {
      say(`${file.name} is ${file.size.toLocaleString()} bytes; the limit is ${page.schema.maxUploadBytes.toLocaleString()}`);
      return;
    }
    const response = await fetch(withToken(`api/upload/${page.session}`), {method: "POST", body: file});
    const answer = await response.json();
    if (!response.ok) say(`upload refused: ${answer.error}`);
    else say(`uploaded ${answer.rows} points (${answer.problem}; scaled by ${answer.scale.toPrecision(3)} into the plane)`, false);
    $("csv-file").value = "";
  }
  async function download(kind) {
    const response = await fetch(withToken(`api/export/${page.session}/model.${kind}`));
    if (!response.ok) { say(`export refused: ${(await response.json()).error}`); return; }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = `playground_model.${kind}`;
    document.body.appendChild(link); link.click(); link.remove();
  }

  // ----- the connection -----
  function connect() {
    if (!TOKEN) {
      say("this address has no token: open the one `glassnet playground` printed (…/?token=…)");
      return;
    }
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/${withToken("ws")}`);
    page.socket = socket;
    let first = true;
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "session") page.session = message.id;
      else if (message.type === "reset") {
        page.layout = message; page.settings = message.settings; page.history = []; page.frames = [];
        page.replaying = false; page.resets += 1;
        $("problem").textContent = message.problem;
        showSettings(); buildNetwork();
        if (first && page.urlChanges) sendConfig(page.urlChanges);
        else page.urlChanges = null;
        first = false;
        writeUrl();
      } else if (message.type === "state") showState(message);
      else if (message.type === "settings") {
        page.urlChanges = null; page.settings = message.settings; showSettings(); drawOutput(); }
      else if (message.type === "playing") {
        page.playing = message.playing;
        $("play-pause").className = page.playing ? "pause" : "play";
        $("play-pause").innerHTML = page.playing ? "&#x275a;&#x275a;" : "&#x25b6;";
      } else if (message.type === "error") {
        say(message.message);
        if (page.urlChanges) { page.urlChanges = null; writeUrl(); }
      }
    };
    socket.onclose = () => say(page.session ? "the connection to the server closed; reload the page to start a new session"
      : "the server refused this page: open the address (with its token) that `glassnet playground` printed");
  }
  window.addEventListener("resize", () => page.nodes && buildLinks());
  fetch("api/schema").then((r) => r.json()).then((schema) => {
    page.schema = schema;
    const changes = readUrl();
    page.urlChanges = Object.keys(changes).length ? changes : null;
    buildControls(); connect();
  });
})();

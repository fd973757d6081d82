/* The auditor's tablet (audits/views/grading.py, JSON protocol in audits/views/api.py).
 *
 * Every tap becomes an operation {op, checkpoint, points, comment, base_version, graded_at} kept in IndexedDB
 * until the server has answered it: sent at once when online, otherwise on the `online` event, at page load and
 * every 15 s, up to 200 per request. A newer tap on the same checkpoint replaces the queued one not yet sent.
 * A conflict (another device changed the grade meanwhile) is kept and shown with both values until a person
 * chooses; nothing is dropped silently. Photos taken offline are queued as Blobs and uploaded later with their
 * operation id (the server stores each id once).
 */
(function () {
  "use strict";

  const root = document.getElementById("grading");
  if (!root) {
    return;
  }
  const strings = JSON.parse(document.getElementById("grading-strings").textContent);
  const auditId = Number(root.dataset.audit);
  const isCentral = root.dataset.central === "true";
  let canGrade = root.dataset.canGrade === "true";
  const gradeUrl = root.dataset.gradeUrl;
  const photoUrl = root.dataset.photoUrl;
  const photoDownloadUrl = root.dataset.photoDownloadUrl;
  const pageUrl = root.dataset.pageUrl;
  const swUrl = root.dataset.swUrl;
  const sectionParam = root.dataset.sectionParam;
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  let csrfToken = csrfMeta ? csrfMeta.content : "";

  const MAX_BATCH = 200;
  const RETRY_EVERY_MS = 15000;
  const DEVICE_KEY = "labelsp-grading-device";
  const DB_NAME = "labelsp-grading";

  const rows = new Map();
  const sections = Array.from(root.querySelectorAll(".grading-section"));
  const inFlight = new Set();
  let flushing = false;
  let flushAgain = false;
  let stopped = false;
  let seq = Date.now();

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
  }

  function deviceId() {
    let id = null;
    try {
      id = window.localStorage.getItem(DEVICE_KEY);
      if (!id) {
        id = "tablette-" + crypto.randomUUID();
        window.localStorage.setItem(DEVICE_KEY, id);
      }
    } catch (error) {
      id = id || "tablette-" + crypto.randomUUID();
    }
    return id;
  }
  const device = deviceId();

  /* --- IndexedDB -------------------------------------------------------------------------------------------- */

  let dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore("ops", { keyPath: "op" }).createIndex("audit", "audit");
          db.createObjectStore("known", { keyPath: ["audit", "checkpoint"] });
          db.createObjectStore("conflicts", { keyPath: ["audit", "checkpoint"] });
          db.createObjectStore("photos", { keyPath: "op" }).createIndex("audit", "audit");
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }

  function promisify(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function completion(transaction) {
    return new Promise((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  const auditRange = () => IDBKeyRange.bound([auditId, -Infinity], [auditId, Infinity]);

  async function readAll(storeName) {
    const db = await openDb();
    const store = db.transaction(storeName).objectStore(storeName);
    if (storeName === "ops" || storeName === "photos") {
      return promisify(store.index("audit").getAll(auditId));
    }
    return promisify(store.getAll(auditRange()));
  }

  async function pendingOps() {
    const ops = await readAll("ops");
    return ops.sort((a, b) => a.seq - b.seq);
  }

  async function enqueue(op) {
    const db = await openDb();
    const transaction = db.transaction("ops", "readwrite");
    const store = transaction.objectStore("ops");
    const queued = await promisify(store.index("audit").getAll(auditId));
    for (const other of queued) {
      // The newest tap wins, unless the older one is already on its way to the server.
      if (other.checkpoint === op.checkpoint && !inFlight.has(other.op)) {
        store.delete(other.op);
      }
    }
    store.put(op);
    await completion(transaction);
  }

  async function write(storeName, action, value) {
    const db = await openDb();
    const transaction = db.transaction(storeName, "readwrite");
    transaction.objectStore(storeName)[action](value);
    await completion(transaction);
  }

  /* --- Rows, scores, sections --------------------------------------------------------------------------------- */

  for (const el of root.querySelectorAll(".grading-row")) {
    rows.set(Number(el.dataset.checkpoint), {
      id: Number(el.dataset.checkpoint),
      el,
      version: Number(el.dataset.version || 0),
      points: el.dataset.points || "",
      comment: (el.querySelector('[data-role="comment"]') || {}).value || "",
      conflict: null,
    });
  }

  function labelOf(row, points) {
    if (points === null || points === undefined || points === "") {
      return strings.ungraded;
    }
    const button = row.el.querySelector('.grading-button[data-points="' + points + '"]');
    return button ? button.dataset.label : String(points).replace(".", ",");
  }

  function paint(row) {
    row.el.dataset.points = row.points;
    row.el.dataset.version = String(row.version);
    for (const button of row.el.querySelectorAll(".grading-button")) {
      button.setAttribute("aria-pressed", button.dataset.points === row.points ? "true" : "false");
    }
    const textarea = row.el.querySelector('[data-role="comment"]');
    if (textarea && document.activeElement !== textarea) {
      textarea.value = row.comment;
    }
  }

  function setStatus(row, text, kind) {
    const status = row.el.querySelector('[data-role="status"]');
    status.textContent = text;
    status.classList.toggle("grading-row__status--error", kind === "error");
    status.classList.toggle("grading-row__status--pending", kind === "pending");
  }

  function formatScore(value) {
    return (Math.round(value * 10) / 10).toLocaleString("fr-FR", { maximumFractionDigits: 1 });
  }

  function recomputeScores() {
    let graded = 0;
    let validated = 0;
    for (const section of sections) {
      const values = [];
      let total = 0;
      for (const el of section.querySelectorAll(".grading-row")) {
        total += 1;
        const row = rows.get(Number(el.dataset.checkpoint));
        if (row.points !== "") {
          values.push(Number(row.points));
        }
      }
      graded += values.length;
      validated += values.filter((value) => value === 1).length;
      const code = section.dataset.section;
      const score = root.querySelector('[data-role="section-score"][data-section="' + CSS.escape(code) + '"]');
      if (score) {
        const mean = values.length ? (100 * values.reduce((a, b) => a + b, 0)) / values.length : null;
        score.querySelector('[data-role="score-value"]').textContent =
          mean === null ? "—" : formatScore(mean) + (isCentral ? " %" : "/100");
        score.querySelector('[data-role="score-count"]').textContent = values.length + "/" + total;
      }
      const nav = root.querySelector('[data-role="nav-score"][data-section="' + CSS.escape(code) + '"]');
      if (nav) {
        nav.textContent = values.length + "/" + total;
      }
    }
    const totalGraded = root.querySelector('[data-role="total-graded"]');
    if (totalGraded) {
      totalGraded.textContent = String(graded);
    }
    const totalValidated = root.querySelector('[data-role="total-validated"]');
    if (totalValidated) {
      totalValidated.textContent = String(validated);
    }
  }

  function showSection(code, remember) {
    const target = sections.find((section) => section.dataset.section === code);
    if (!target) {
      return;
    }
    for (const section of sections) {
      section.hidden = section !== target;
    }
    for (const link of root.querySelectorAll(".grading-nav__link")) {
      if (link.dataset.section === code) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    }
    if (remember) {
      const url = new URL(window.location.href);
      url.searchParams.set(sectionParam, code);
      window.history.replaceState(null, "", url);
      const heading = target.querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
      root.scrollIntoView({ block: "start" });
    }
  }

  /* --- Banner ------------------------------------------------------------------------------------------------- */

  function updateNetwork() {
    const badge = root.querySelector('[data-role="network"]');
    const online = navigator.onLine;
    badge.textContent = online ? strings.online : strings.offline;
    badge.classList.toggle("fr-badge--success", online);
    badge.classList.toggle("fr-badge--warning", !online);
  }

  async function updateBanner() {
    const [ops, photos] = await Promise.all([readAll("ops"), readAll("photos")]);
    root.querySelector('[data-role="pending-count"]').textContent = String(ops.length);
    root.querySelector('[data-role="photo-pending-count"]').textContent = String(photos.length);
    root.querySelector('[data-role="photo-pending"]').hidden = photos.length === 0;
    root.dataset.pending = String(ops.length + photos.length);
    return ops.length + photos.length;
  }

  function showAlert(text, withLogin) {
    const alert = root.querySelector('[data-role="sync-alert"]');
    alert.querySelector('[data-role="sync-alert-text"]').textContent = text;
    alert.querySelector('[data-role="sync-alert-login"]').hidden = !withLogin;
    alert.hidden = false;
  }

  function hideAlert() {
    root.querySelector('[data-role="sync-alert"]').hidden = true;
  }

  function stop(message) {
    stopped = true;
    canGrade = false;
    for (const button of root.querySelectorAll(".grading-button")) {
      button.disabled = true;
    }
    showAlert(fmt(strings.stopped, { message }), false);
  }

  /* --- Grading ------------------------------------------------------------------------------------------------ */

  async function record(row, points, comment, baseVersion) {
    row.points = points;
    row.comment = comment;
    paint(row);
    recomputeScores();
    const op = {
      op: crypto.randomUUID(),
      audit: auditId,
      checkpoint: row.id,
      points: points === "" ? null : points,
      comment,
      base_version: baseVersion === undefined ? row.version : baseVersion,
      graded_at: new Date().toISOString(),
      seq: (seq += 1),
    };
    await enqueue(op);
    setStatus(row, strings.queued, "pending");
    await updateBanner();
    flush();
  }

  function refreshToken() {
    // A page cached before a new login carries an outdated CSRF token: take the current one from the server.
    return fetch(pageUrl, { credentials: "same-origin", cache: "no-store" })
      .then((response) => {
        if (!response.ok || response.redirected) {
          return false;
        }
        return response.text().then((html) => {
          const meta = new DOMParser().parseFromString(html, "text/html").querySelector('meta[name="csrf-token"]');
          if (!meta || !meta.content || meta.content === csrfToken) {
            return false;
          }
          csrfToken = meta.content;
          return true;
        });
      })
      .catch(() => false);
  }

  function postOps(ops) {
    return fetch(gradeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify({
        device,
        ops: ops.map((op) => ({
          op: op.op,
          checkpoint: op.checkpoint,
          points: op.points,
          comment: op.comment,
          base_version: op.base_version,
          graded_at: op.graded_at,
        })),
      }),
    });
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").includes("application/json");
  }

  function needsLogin(response) {
    return response.redirected || response.status === 401 || response.status === 403 || (response.ok && !isJson(response));
  }

  async function applyResults(ops, results) {
    const byOp = new Map(ops.map((op) => [op.op, op]));
    // Checkpoints tapped again while this batch travelled: their newer operation is still to be sent.
    const newer = new Set((await pendingOps()).filter((op) => !byOp.has(op.op)).map((op) => op.checkpoint));
    const db = await openDb();
    const transaction = db.transaction(["ops", "known", "conflicts"], "readwrite");
    for (const result of results) {
      const op = byOp.get(result.op);
      if (!op) {
        continue;
      }
      transaction.objectStore("ops").delete(op.op);
      const row = rows.get(op.checkpoint);
      if (result.status === "applied") {
        transaction.objectStore("known").put({
          audit: auditId,
          checkpoint: op.checkpoint,
          version: result.version,
          points: op.points === null ? "" : op.points,
          comment: op.comment,
        });
        if (row) {
          row.version = Math.max(row.version, result.version);
          row.el.dataset.version = String(row.version);
          if (!newer.has(op.checkpoint)) {
            setStatus(row, strings.saved, "ok");
          }
        }
      } else if (result.status === "conflict") {
        const conflict = {
          audit: auditId,
          checkpoint: op.checkpoint,
          server: result.server,
          yours: { points: op.points, comment: op.comment },
        };
        transaction.objectStore("conflicts").put(conflict);
        if (row) {
          showConflict(row, conflict);
        }
      } else if (row) {
        setStatus(row, result.message || "", "error");
      }
    }
    await completion(transaction);
  }

  async function flushGrades() {
    const ops = (await pendingOps()).filter((op) => !inFlight.has(op.op)).slice(0, MAX_BATCH);
    if (!ops.length) {
      return false;
    }
    ops.forEach((op) => inFlight.add(op.op));
    try {
      let response = await postOps(ops);
      if (response.status === 403 && (await refreshToken())) {
        response = await postOps(ops);
      }
      if (needsLogin(response)) {
        showAlert(strings.reconnect, true);
        return false;
      }
      if ([404, 409, 423].includes(response.status)) {
        const data = isJson(response) ? await response.json() : {};
        stop(data.error || response.statusText);
        return false;
      }
      if (!response.ok) {
        showAlert(strings.serverError, false);
        return false;
      }
      const data = await response.json();
      hideAlert();
      await applyResults(ops, data.results || []);
      return true;
    } catch (error) {
      // The network is down (or went down during the request): the operations stay queued.
      for (const op of ops) {
        const row = rows.get(op.checkpoint);
        if (row) {
          setStatus(row, strings.queued, "pending");
        }
      }
      return false;
    } finally {
      ops.forEach((op) => inFlight.delete(op.op));
    }
  }

  async function flush() {
    if (stopped || !navigator.onLine) {
      await updateBanner();
      return;
    }
    if (flushing) {
      flushAgain = true;
      return;
    }
    flushing = true;
    try {
      do {
        flushAgain = false;
        while (!stopped && navigator.onLine && (await flushGrades())) {
          // Batches of 200 until the queue is empty.
        }
        await flushPhotos();
      } while (flushAgain && !stopped);
    } finally {
      flushing = false;
      await updateBanner();
    }
  }

  /* --- Conflicts ---------------------------------------------------------------------------------------------- */

  function paragraph(text, className) {
    const p = document.createElement("p");
    p.textContent = text;
    if (className) {
      p.className = className;
    }
    return p;
  }

  function showConflict(row, conflict) {
    row.conflict = conflict;
    const box = row.el.querySelector('[data-role="conflict"]');
    box.replaceChildren();
    box.append(paragraph(strings.conflictTitle, "fr-alert__title"));
    const server = conflict.server || { points: null, comment: "", by: "", at: "" };
    const at = server.at ? new Date(server.at).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" }) : "";
    const serverLine = paragraph(fmt(strings.conflictServer, { points: labelOf(row, server.points), by: server.by, at }));
    serverLine.dataset.role = "conflict-server";
    box.append(serverLine);
    if (server.comment) {
      box.append(paragraph(fmt(strings.conflictComment, { comment: server.comment })));
    }
    const yoursLine = paragraph(fmt(strings.conflictYours, { points: labelOf(row, conflict.yours.points) }));
    yoursLine.dataset.role = "conflict-yours";
    box.append(yoursLine);
    if (conflict.yours.comment) {
      box.append(paragraph(fmt(strings.conflictComment, { comment: conflict.yours.comment })));
    }
    const choices = document.createElement("div");
    choices.className = "grading-conflict__choices";
    for (const [choice, label, className] of [
      ["server", strings.keepServer, "fr-btn fr-btn--secondary"],
      ["mine", strings.keepMine, "fr-btn"],
    ]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = className;
      button.dataset.conflictChoice = choice;
      button.textContent = label;
      choices.append(button);
    }
    box.append(choices);
    box.hidden = false;
    setStatus(row, "", "ok");
  }

  async function resolveConflict(row, choice) {
    const conflict = row.conflict;
    if (!conflict) {
      return;
    }
    row.conflict = null;
    row.el.querySelector('[data-role="conflict"]').hidden = true;
    await write("conflicts", "delete", [auditId, row.id]);
    const server = conflict.server || { points: null, comment: "", version: row.version };
    row.version = Math.max(row.version, server.version || 0);
    if (choice === "server") {
      row.points = server.points === null ? "" : server.points;
      row.comment = server.comment || "";
      paint(row);
      recomputeScores();
      await write("known", "put", {
        audit: auditId,
        checkpoint: row.id,
        version: row.version,
        points: row.points,
        comment: row.comment,
      });
      setStatus(row, strings.saved, "ok");
    } else {
      const points = conflict.yours.points === null ? "" : conflict.yours.points;
      await record(row, points, conflict.yours.comment || "", server.version || 0);
    }
  }

  /* --- Photos ------------------------------------------------------------------------------------------------- */

  function photoItem(row, op) {
    const list = row.el.querySelector('[data-role="photo-list"]');
    let item = list.querySelector('[data-photo-op="' + op + '"]');
    if (!item) {
      item = document.createElement("li");
      item.dataset.photoOp = op;
      list.append(item);
    }
    return item;
  }

  async function queuePhoto(row, file) {
    const photo = {
      op: crypto.randomUUID(),
      audit: auditId,
      checkpoint: row.id,
      blob: file,
      name: file.name || "photo.jpg",
      taken_at: new Date().toISOString(),
    };
    await write("photos", "put", photo);
    photoItem(row, photo.op).textContent = strings.photoQueued;
    setStatus(row, navigator.onLine ? strings.sending : strings.photoOffline, "pending");
    await updateBanner();
    flush();
  }

  async function flushPhotos() {
    const photos = await readAll("photos");
    for (const photo of photos) {
      if (stopped || !navigator.onLine) {
        return;
      }
      const row = rows.get(photo.checkpoint);
      const form = new FormData();
      form.append("op", photo.op);
      form.append("checkpoint", String(photo.checkpoint));
      form.append("photo", photo.blob, photo.name);
      let response;
      try {
        response = await fetch(photoUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken, Accept: "application/json" },
          body: form,
        });
      } catch (error) {
        return;
      }
      if (response.status === 201 && isJson(response)) {
        const data = await response.json();
        await write("photos", "delete", photo.op);
        if (row) {
          const item = photoItem(row, photo.op);
          const link = document.createElement("a");
          link.className = "fr-link";
          link.href = photoDownloadUrl.replace(/\/0\/$/, "/" + data.photo + "/");
          link.textContent = fmt(strings.photoLink, {
            at: new Date(photo.taken_at).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" }),
          });
          item.replaceChildren(link);
          setStatus(row, strings.photoSent, "ok");
        }
      } else if (response.status === 400 && isJson(response)) {
        // Refused for good (not an image, too large…): say so rather than retry forever.
        const data = await response.json();
        const messages = Object.values(data.errors || {}).flat().join(" ");
        await write("photos", "delete", photo.op);
        if (row) {
          photoItem(row, photo.op).remove();
          setStatus(row, fmt(strings.photoError, { message: messages }), "error");
        }
      } else if (needsLogin(response)) {
        showAlert(strings.reconnect, true);
        return;
      } else {
        return;
      }
    }
  }

  /* --- Start -------------------------------------------------------------------------------------------------- */

  async function restore() {
    const [known, ops, conflicts, photos] = await Promise.all([
      readAll("known"),
      pendingOps(),
      readAll("conflicts"),
      readAll("photos"),
    ]);
    // The page may come from the offline cache, older than what this tablet already sent.
    for (const entry of known) {
      const row = rows.get(entry.checkpoint);
      if (row && entry.version > row.version) {
        row.version = entry.version;
        row.points = entry.points;
        row.comment = entry.comment;
      }
    }
    for (const op of ops) {
      const row = rows.get(op.checkpoint);
      if (row) {
        row.points = op.points === null ? "" : op.points;
        row.comment = op.comment;
        setStatus(row, strings.queued, "pending");
      }
    }
    rows.forEach(paint);
    for (const conflict of conflicts) {
      const row = rows.get(conflict.checkpoint);
      if (row) {
        row.points = conflict.yours.points === null ? "" : conflict.yours.points;
        paint(row);
        showConflict(row, conflict);
      }
    }
    for (const photo of photos) {
      const row = rows.get(photo.checkpoint);
      if (row) {
        photoItem(row, photo.op).textContent = strings.photoQueued;
      }
    }
  }

  function registerServiceWorker() {
    if (!("serviceWorker" in navigator)) {
      return;
    }
    const scope = swUrl.slice(0, swUrl.lastIndexOf("/") + 1);
    navigator.serviceWorker
      .register(swUrl, { scope })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        // What this page loaded before the worker controlled it: the page itself and its assets.
        const urls = [window.location.href.split("#")[0]].concat(
          performance.getEntriesByType("resource").map((entry) => entry.name),
        );
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          document.documentElement.dataset.offlineReady = "true";
        };
        registration.active.postMessage({ type: "cache-urls", urls }, [channel.port2]);
      })
      .catch(() => {
        // No offline mode (private browsing, unsupported): grading still works online.
      });
  }

  root.addEventListener("click", (event) => {
    const button = event.target.closest(".grading-button");
    if (button) {
      const row = rows.get(Number(button.closest(".grading-row").dataset.checkpoint));
      if (canGrade && !stopped && row.points !== button.dataset.points) {
        record(row, button.dataset.points, row.comment);
      }
      return;
    }
    const choice = event.target.closest("[data-conflict-choice]");
    if (choice) {
      const row = rows.get(Number(choice.closest(".grading-row").dataset.checkpoint));
      resolveConflict(row, choice.dataset.conflictChoice);
      return;
    }
    const link = event.target.closest("a[data-section]");
    if (link) {
      event.preventDefault();
      showSection(link.dataset.section, true);
    }
  });

  root.addEventListener("change", (event) => {
    const target = event.target;
    const rowEl = target.closest(".grading-row");
    if (!rowEl || !canGrade || stopped) {
      return;
    }
    const row = rows.get(Number(rowEl.dataset.checkpoint));
    if (target.dataset.role === "comment" && target.value.trim() !== row.comment) {
      record(row, row.points, target.value.trim());
    } else if (target.dataset.role === "photo" && target.files && target.files.length) {
      const file = target.files[0];
      target.value = "";
      queuePhoto(row, file);
    }
  });

  window.addEventListener("online", () => {
    updateNetwork();
    flush();
  });
  window.addEventListener("offline", () => {
    updateNetwork();
    updateBanner();
  });

  const asked = new URLSearchParams(window.location.search).get(sectionParam);
  if (asked) {
    showSection(asked, false);
  }
  updateNetwork();
  restore()
    .catch(() => {})
    .then(() => {
      recomputeScores();
      return updateBanner();
    })
    .then(() => {
      root.dataset.ready = "true";
      flush();
    });
  window.setInterval(() => {
    if (Number(root.dataset.pending || 0) > 0) {
      flush();
    }
  }, RETRY_EVERY_MS);
  registerServiceWorker();
})();

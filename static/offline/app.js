// The offline field app. Everything it downloads or records lives in IndexedDB, each record sealed
// with a key derived from the officer's password (crypto.js, store.js). Work done offline becomes
// operations (one per change, with a client id and the versions of the fields it was based on) that
// the sync sends; the server answers each with applied, conflict, refused or already applied.
import { deriveKey, newSalt, seal, unseal } from "./crypto.js";
import { Vault, databaseName, openDatabase, readMeta, wipe, writeMeta } from "./store.js";
import { SyncApi } from "./sync.js";

const config = JSON.parse(document.getElementById("offline-config").textContent);
const DAY = 86400000;
const CHECK = "ddr-offline-check";
const $ = (id) => document.getElementById(id);

function t(key, values = {}) {
  return (config.strings[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

// Accent- and case-insensitive search, as on the register's own search.
function fold(text) {
  return String(text || "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

function uuid() {
  return crypto.randomUUID();
}

function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

const app = {
  db: null,
  meta: null,
  vault: null,
  people: new Map(), // vault id -> person ("p:<id>" from the server, "t:<temp>" made here)
  sites: new Map(), // site id -> site
  locations: new Map(), // storage location id -> location (weapons are kept there)
  ops: new Map(), // op_id -> operation waiting to be sent
  refusals: new Map(), // op_id -> refusal waiting to be acknowledged
  state: { counter: 0, lastSync: null, assigned: [], conflicts: 0 },
  current: null, // vault id of the person shown
};

// --- screen ----------------------------------------------------------------------------------

function show(panel) {
  for (const id of ["unlock-panel", "locked-panel", "wiped-panel", "work-panel"]) $(id).hidden = id !== panel;
  const open = panel === "work-panel" || panel === "locked-panel";
  $("sync-now").hidden = !open;
  $("lock-now").hidden = !open;
}

function say(text, kind = "info") {
  const box = $("message");
  box.textContent = text;
  box.className = `alert alert-${kind}`;
  box.hidden = !text;
}

function showNetwork() {
  const online = navigator.onLine;
  const box = $("net-status");
  box.textContent = online ? t("online") : t("offline");
  box.className = `alert py-2 ${online ? "alert-success" : "alert-warning offline-banner"}`;
  box.dataset.online = online ? "1" : "0";
}

function showCounts() {
  $("pending-count").textContent = String(app.ops.size);
  $("refusal-count").textContent = String(app.refusals.size);
  const last = app.state.lastSync;
  $("last-sync").textContent = last
    ? new Intl.DateTimeFormat(document.documentElement.lang || "fr", { dateStyle: "short", timeStyle: "short" }).format(
        new Date(last),
      )
    : t("never");
}

function option(value, label) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  return element;
}

function fillReferenceLists() {
  for (const region of config.regions) $("reg-region").append(option(region.code, region.name));
  for (const movement of config.movements) $("reg-movement").append(option(movement.code, `${movement.code} – ${movement.name}`));
  if (config.region) $("reg-region").value = config.region;
  // Child protection corrects their children's records; the rest is for those who register.
  $("tab-register-button").hidden = !config.can_register;
  for (const part of document.querySelectorAll(".registering-only")) part.hidden = !config.can_register;
}

// The card's token as the QR code holds it (ddr.reintegration.payments.selectors.TOKEN).
function cardToken(text) {
  return (text || "").trim().toUpperCase();
}

// What is due in kind to the person shown: the form offers it, to the roles that distribute.
function fillDistribution(person) {
  const due = (config.can_distribute && person.due && person.due.entitlements) || [];
  $("distribution-details").hidden = !due.length;
  const select = $("dist-entitlement");
  select.replaceChildren(...due.map((e) => option(e.id, `${e.label} (${e.due_on})`)));
}

function fillSites() {
  for (const select of document.querySelectorAll(".site-select")) {
    const chosen = select.value;
    select.replaceChildren(option("", "—"));
    for (const site of [...app.sites.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const label = `${site.name} (${t("places", { occupancy: site.occupancy, capacity: site.capacity })})`;
      select.append(option(site.id, label));
    }
    select.value = chosen;
  }
  fillLocations();
}

// A weapon goes to a storage location of the site it is handed in at (or of its region).
function fillLocations() {
  const select = $("wam-location");
  const chosen = select.value;
  const site = app.sites.get($("wam-site").value);
  select.replaceChildren(option("", "—"));
  for (const location of app.locations.values()) {
    if (site && (location.site ? location.site === site.id : location.region === site.region)) {
      select.append(option(location.id, location.name));
    }
  }
  select.value = chosen;
}

function personNumber(person) {
  return person.registration_number || person.temp_id;
}

function renderSearch() {
  const words = fold($("search-query").value).split(/\s+/).filter(Boolean);
  const list = $("search-results");
  list.replaceChildren();
  if (!words.length) {
    $("search-empty").hidden = true;
    return;
  }
  const found = [...app.people.entries()].filter(([, person]) => {
    const text = fold(`${person.family_name} ${person.given_name} ${person.registration_number || ""} ${person.temp_id || ""}`);
    if (person.due && words.length === 1 && cardToken(words[0]) === person.due.card) return true;
    return words.every((word) => text.includes(word));
  });
  for (const [id, person] of found.slice(0, 50)) {
    const item = document.createElement("li");
    item.className = "list-group-item list-group-item-action";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link p-0 text-start";
    button.dataset.testid = "person-result";
    button.textContent = `${person.family_name} ${person.given_name}`;
    button.addEventListener("click", () => openPerson(id));
    const number = document.createElement("span");
    number.className = "ms-2 text-secondary";
    number.dataset.testid = "result-number";
    number.textContent = person.registration_number || `${person.temp_id} (${t("waiting_sync")})`;
    item.append(button, number);
    list.append(item);
  }
  $("search-empty").textContent = t("no_results");
  $("search-empty").hidden = found.length > 0;
}

function renderAssigned() {
  const list = $("assigned-list");
  list.replaceChildren();
  for (const entry of app.state.assigned) {
    const item = document.createElement("li");
    item.textContent = `${entry.label} · ${entry.temp_id} → ${entry.registration_number}`;
    list.append(item);
  }
  $("assigned").hidden = app.state.assigned.length === 0;
  $("conflicts").hidden = !app.state.conflicts;
  $("conflicts-text").textContent = t("conflicts_waiting");
  $("conflicts-link").href = config.api.conflicts;
}

function renderRefusals() {
  const list = $("refusal-list");
  list.replaceChildren();
  for (const refusal of app.refusals.values()) {
    const item = document.createElement("li");
    item.className = "list-group-item";
    item.dataset.testid = "refusal";
    const what = document.createElement("strong");
    what.textContent = [refusal.kind ? t(`kind_${refusal.kind}`) : "", refusal.label].filter(Boolean).join(" · ");
    const reason = document.createElement("p");
    reason.className = "mb-1";
    reason.textContent = refusal.reason || "";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary btn-sm";
    button.textContent = t("acknowledge");
    button.addEventListener("click", () => acknowledge([refusal.op_id]));
    item.append(what, reason, button);
    list.append(item);
  }
}

function openPerson(id) {
  const person = app.people.get(id);
  if (!person) return;
  app.current = id;
  $("person-name").textContent = `${person.family_name} ${person.given_name}`;
  $("person-number").textContent = person.registration_number || `${person.temp_id} (${t("waiting_sync")})`;
  const site = person.site ? app.sites.get(String(person.site)) : null;
  $("person-site").textContent = site ? t("on_site", { site: site.name }) : t("not_on_site");
  $("check-out").hidden = !person.site;
  $("upd-family").value = person.family_name || "";
  $("upd-given").value = person.given_name || "";
  $("upd-year").value = person.birth_year || "";
  for (const input of document.querySelectorAll("#person-panel input[type=date]")) input.value = today();
  fillDistribution(person);
  $("person-panel").hidden = false;
}

function render() {
  showCounts();
  fillSites();
  renderSearch();
  renderAssigned();
  renderRefusals();
  if (app.current) openPerson(app.current);
}

function switchTab(name) {
  for (const button of document.querySelectorAll("[data-tab]")) {
    const active = button.dataset.tab === name;
    button.classList.toggle("active", active);
    button.setAttribute("aria-selected", active ? "true" : "false");
    $(`tab-${button.dataset.tab}`).hidden = !active;
  }
}

// --- unlocking -------------------------------------------------------------------------------

function isLocked() {
  const days = app.meta && app.meta.lockAfterDays;
  const since = app.state.lastSync || app.meta.setupAt;
  return Boolean(days) && Date.now() - since > days * DAY;
}

async function loadVault() {
  const records = await app.vault.all();
  app.people.clear();
  app.sites.clear();
  app.ops.clear();
  app.refusals.clear();
  for (const [id, value] of records) {
    if (id === "state") app.state = value;
    else if (id.startsWith("p:") || id.startsWith("t:")) app.people.set(id, value);
    else if (id.startsWith("s:")) app.sites.set(String(value.id), value);
    else if (id.startsWith("l:")) app.locations.set(String(value.id), value);
    else if (id.startsWith("o:")) app.ops.set(value.op_id, value);
    else if (id.startsWith("r:")) app.refusals.set(value.op_id, value);
  }
}

async function unlock(event) {
  event.preventDefault();
  const password = $("unlock-password").value;
  const button = $("unlock-submit");
  button.disabled = true;
  try {
    if (!app.meta) {
      if (password !== $("unlock-confirm").value) return say(t("password_mismatch"), "danger");
      if (!navigator.onLine) return say(t("set_up_online"), "warning");
      const salt = newSalt();
      const key = await deriveKey(password, salt);
      const meta = { salt, check: await seal(key, CHECK), deviceId: uuid(), setupAt: Date.now(), lockAfterDays: null };
      await writeMeta(app.db, meta);
      app.meta = meta;
      app.vault = new Vault(app.db, key);
      await app.vault.put("state", app.state);
    } else {
      const key = await deriveKey(password, app.meta.salt);
      try {
        if ((await unseal(key, app.meta.check)) !== CHECK) throw new Error("check");
      } catch {
        return say(t("wrong_password"), "danger");
      }
      app.vault = new Vault(app.db, key);
      await loadVault();
    }
    $("unlock-password").value = "";
    $("unlock-confirm").value = "";
    say("");
    enter();
    if (navigator.onLine && !app.state.lastSync) await sync();
  } finally {
    button.disabled = false;
  }
}

function enter() {
  if (isLocked()) {
    $("locked-panel").textContent = t("locked", { days: app.meta.lockAfterDays });
    show("locked-panel");
  } else {
    show("work-panel");
  }
  render();
}

function lock() {
  app.vault = null;
  app.people.clear();
  app.ops.clear();
  app.refusals.clear();
  app.sites.clear();
  app.locations.clear();
  app.current = null;
  $("person-panel").hidden = true;
  $("search-results").replaceChildren();
  $("search-query").value = "";
  startScreen();
}

function startScreen() {
  const first = !app.meta;
  $("setup-intro").hidden = !first;
  $("unlock-intro").hidden = first;
  $("confirm-row").hidden = !first;
  $("unlock-confirm").required = first;
  $("unlock-submit").textContent = first ? t("setup") : t("unlock");
  show("unlock-panel");
}

// --- recording work --------------------------------------------------------------------------

async function saveState(entries = [], removals = []) {
  await app.vault.putMany([["state", app.state], ...entries], removals);
}

async function record(kind, person, data, baseVersions = {}) {
  const op = {
    op_id: uuid(),
    kind,
    made_at: new Date().toISOString(),
    person: person.id || null,
    temp_id: person.temp_id || null,
    base_versions: baseVersions,
    data,
  };
  app.ops.set(op.op_id, op);
  return [`o:${op.op_id}`, op];
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

const PHOTO_MAX_SIDE = 1024;
const PHOTO_MAX_BYTES = 5000000;

// The camera's picture, made smaller on the device (a JPEG of at most 1024 pixels a side).
async function photoFrom(file) {
  if (!file || !file.size) return "";
  if (!file.type.startsWith("image/")) throw new Error(t("photo_not_image"));
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(t("photo_not_image"));
  }
  const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const url = canvas.toDataURL("image/jpeg", 0.8);
  const base64 = url.slice(url.indexOf(",") + 1); // the API takes the image's bytes in base64
  if ((base64.length * 3) / 4 > PHOTO_MAX_BYTES) throw new Error(t("photo_too_large"));
  return base64;
}

async function register(event) {
  event.preventDefault();
  const form = event.target;
  const fields = formData(form);
  let photo;
  try {
    photo = await photoFrom($("reg-photo").files[0]);
  } catch (error) {
    return say(error.message, "danger");
  }
  app.state.counter += 1;
  const tempId = `T-${app.meta.deviceId.slice(0, 4).toUpperCase()}-${String(app.state.counter).padStart(4, "0")}`;
  const person = {
    id: null,
    temp_id: tempId,
    registration_number: "",
    family_name: fields.family_name.trim(),
    given_name: fields.given_name.trim(),
    sex: fields.sex,
    birth_year: Number(fields.birth_year),
    region: fields.region,
    movement: fields.movement,
    category: fields.category,
    status: "registered",
    site: null,
    versions: {},
  };
  const weapons = $("reg-weapon").checked
    ? [{ kind: fields.weapon_kind, serial_number: (fields.weapon_serial || "").trim() }]
    : [];
  // The identity document shown, when there is one (its number as written on it).
  const number = (fields.document_number || "").trim();
  const documents = fields.document_kind && number ? [{ kind: fields.document_kind, number }] : [];
  const { id: _id, temp_id: _temp, registration_number: _number, status: _status, site: _site, versions: _v, ...data } = person;
  const entry = await record("register", person, { ...data, birth_year_approximate: false, photo, weapons, documents });
  person.has_weapon = weapons.length > 0;
  app.people.set(`t:${tempId}`, person);
  await saveState([entry, [`t:${tempId}`, person]]);
  form.reset();
  $("reg-region").value = config.region || "";
  toggleWeapon();
  say(`${t("registered", { number: tempId })} ${t("saved")}`, "success");
  render();
}

async function recordOnCurrent(kind, data, change, message = "saved") {
  const id = app.current;
  const person = app.people.get(id);
  if (!person) return;
  const baseVersions = kind === "update" ? Object.fromEntries(Object.keys(data).map((f) => [f, (person.versions || {})[f] ?? 0])) : {};
  const entry = await record(kind, person, data, baseVersions);
  if (change) change(person);
  await saveState([entry, [id, person]]);
  say(t(message), "success");
  render();
}

function update(event) {
  event.preventDefault();
  const person = app.people.get(app.current);
  const fields = formData(event.target);
  const data = {};
  for (const [name, raw] of Object.entries(fields)) {
    const value = name === "birth_year" ? (raw ? Number(raw) : null) : raw.trim();
    if (value !== (person[name] ?? (name === "birth_year" ? null : ""))) data[name] = value;
  }
  if (!Object.keys(data).length) return;
  recordOnCurrent("update", data, (p) => Object.assign(p, data));
}

function ageAssessment(event) {
  event.preventDefault();
  const data = formData(event.target);
  data.assessed_age = Number(data.assessed_age);
  recordOnCurrent("age_assessment", data);
  event.target.reset();
}

function medical(event) {
  event.preventDefault();
  recordOnCurrent("medical", formData(event.target));
  event.target.reset();
}

function checkIn(event) {
  event.preventDefault();
  const site = app.sites.get($("check-in-site").value);
  if (!site) return;
  if (site.capacity && site.occupancy >= site.capacity) return say(t("site_full"), "danger");
  recordOnCurrent(
    "check_in",
    { site: site.id, on: today() },
    (person) => {
      person.site = site.id;
      site.occupancy += 1;
    },
    "check_in_done",
  );
}

function checkOut() {
  const person = app.people.get(app.current);
  const site = person && app.sites.get(String(person.site));
  if (!person || !person.site) return;
  recordOnCurrent(
    "check_out",
    { on: today() },
    (p) => {
      p.site = null;
      if (site) site.occupancy = Math.max(0, site.occupancy - 1);
    },
    "check_out_done",
  );
}

function weaponHandIn(event) {
  event.preventDefault();
  const data = formData(event.target);
  data.site = Number(data.site);
  data.location = Number(data.location);
  recordOnCurrent("weapon_handin", { kind: "weapon", quantity: 1, ...data });
  event.target.reset();
}

// A hand-over in kind: the card presented must be the person's (the server checks it again, with
// the holder's scope, an open appeal, a hand-over already made); the entitlement leaves the list.
function distribution(event) {
  event.preventDefault();
  const person = app.people.get(app.current);
  const data = formData(event.target);
  if (!person || !person.due) return say(t("nothing_due"), "danger");
  data.token = cardToken(data.token);
  if (data.token !== person.due.card) return say(t("card_mismatch"), "danger");
  data.entitlement = Number(data.entitlement);
  recordOnCurrent(
    "distribution",
    data,
    (p) => {
      p.due.entitlements = p.due.entitlements.filter((e) => e.id !== data.entitlement);
    },
    "distribution_done",
  );
  event.target.reset();
}

function toggleWeapon() {
  for (const field of document.querySelectorAll(".weapon-field")) field.hidden = !$("reg-weapon").checked;
}

// --- sync ------------------------------------------------------------------------------------

function api() {
  return new SyncApi(config.api, app.meta.deviceId);
}

async function erase() {
  await wipe(app.db, databaseName(config.user));
  app.db = null;
  app.meta = null;
  app.vault = null;
  app.people.clear();
  app.ops.clear();
  app.refusals.clear();
  app.sites.clear();
  $("wiped-panel").textContent = t("revoked");
  show("wiped-panel");
  say("");
}

function refusalLabel(op) {
  const person = app.people.get(op.person ? `p:${op.person}` : `t:${op.temp_id}`);
  if (person) return `${person.family_name} ${person.given_name} (${personNumber(person)})`;
  if (op.kind === "register") return `${op.data.family_name} ${op.data.given_name} (${op.temp_id})`;
  return op.temp_id || "";
}

// What the server said about one operation; returns the vault writes and removals it implies.
function settle(result, writes, removals) {
  const op = app.ops.get(result.op_id);
  if (!op) return;
  app.ops.delete(op.op_id);
  removals.push(`o:${op.op_id}`);
  app.notes.push(...(result.notes || []));
  if (result.status === "refused") {
    const refusal = { op_id: op.op_id, kind: op.kind, reason: result.reason, label: refusalLabel(op) };
    app.refusals.set(op.op_id, refusal);
    writes.push([`r:${op.op_id}`, refusal]);
  } else if (result.status === "conflict") {
    app.state.conflicts = (app.state.conflicts || 0) + 1;
  }
  // The person's field versions after a correction: the base of the device's next one.
  const person = result.versions && app.people.get(`p:${op.person}`);
  if (person) person.versions = { ...person.versions, ...result.versions };
  if (op.kind === "register" && result.registration_number) {
    app.state.assigned.push({
      temp_id: op.temp_id,
      registration_number: result.registration_number,
      label: `${op.data.family_name} ${op.data.given_name}`,
    });
    // Later operations on the same new person now name it by its id.
    for (const other of app.ops.values()) {
      if (other.temp_id === op.temp_id && !other.person) {
        other.person = result.person;
        writes.push([`o:${other.op_id}`, other]);
      }
    }
  }
}

// The downloaded scope replaces what the device held; people registered here and not yet sent stay.
async function applySnapshot(snapshot) {
  const removals = (await app.vault.keys()).filter((id) => /^[psl]:/.test(id));
  const waiting = new Set([...app.ops.values()].filter((op) => op.kind === "register").map((op) => op.temp_id));
  for (const id of [...app.people.keys()]) {
    if (id.startsWith("p:") || !waiting.has(app.people.get(id).temp_id)) {
      app.people.delete(id);
      if (id.startsWith("t:")) removals.push(id);
    }
  }
  app.sites.clear();
  app.locations.clear();
  const writes = [];
  for (const location of snapshot.locations || []) {
    app.locations.set(String(location.id), location);
    writes.push([`l:${location.id}`, location]);
  }
  const due = new Map((snapshot.distributions || []).map((entry) => [entry.person, entry]));
  for (const person of snapshot.people || []) {
    if (due.has(person.id)) person.due = due.get(person.id);
    app.people.set(`p:${person.id}`, person);
    writes.push([`p:${person.id}`, person]);
  }
  for (const site of snapshot.sites || []) {
    app.sites.set(String(site.id), site);
    writes.push([`s:${site.id}`, site]);
  }
  for (const refusal of snapshot.refusals || []) {
    if (app.refusals.has(refusal.op_id)) continue;
    const label = refusal.registration_number || refusal.temp_id || "";
    const entry = { op_id: refusal.op_id, kind: refusal.kind || "", reason: refusal.reason, label };
    app.refusals.set(entry.op_id, entry);
    writes.push([`r:${entry.op_id}`, entry]);
  }
  if (app.current && !app.people.has(app.current)) {
    app.current = null;
    $("person-panel").hidden = true;
  }
  return { writes, removals };
}

let syncing = false;
app.notes = [];

async function sync() {
  if (!app.vault || syncing) return;
  if (!navigator.onLine) return say(t("sync_needs_network"), "warning");
  syncing = true;
  $("sync-now").disabled = true;
  say(t("syncing"));
  try {
    const server = api();
    const device = await server.register(navigator.userAgent.slice(0, 100));
    if (device.revoked) return await erase();
    app.meta.lockAfterDays = device.lock_after_days;
    app.state.assigned = [];
    app.state.conflicts = 0;
    app.notes = [];
    const writes = [];
    const removals = [];
    const pending = [...app.ops.values()].sort((a, b) => a.made_at.localeCompare(b.made_at));
    for (let start = 0; start < pending.length; start += 200) {
      const answer = await server.send(pending.slice(start, start + 200));
      for (const result of answer.results) settle(result, writes, removals);
    }
    const snapshot = await server.snapshot();
    const scope = await applySnapshot(snapshot);
    app.state.lastSync = Date.now();
    app.state.serverTime = snapshot.server_time;
    await saveState([...writes, ...scope.writes], [...removals, ...scope.removals]);
    app.meta.lastSync = app.state.lastSync; // readable before unlocking: only a date
    await writeMeta(app.db, app.meta);
    say([t("synced"), ...app.notes].join(" "), "success");
    enter();
  } catch (error) {
    if (error.revoked) return await erase();
    say(error.signedOut ? t("sign_in_again") : t("sync_failed"), "danger");
    console.warn(error);
  } finally {
    syncing = false;
    $("sync-now").disabled = false;
  }
}

async function acknowledge(opIds) {
  if (!navigator.onLine) return say(t("acknowledge_needs_network"), "warning");
  try {
    await api().acknowledge(opIds);
  } catch (error) {
    if (error.revoked) return erase();
    return say(error.signedOut ? t("sign_in_again") : t("sync_failed"), "danger");
  }
  for (const id of opIds) app.refusals.delete(id);
  await app.vault.remove(opIds.map((id) => `r:${id}`));
  render();
}

// --- start -----------------------------------------------------------------------------------

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  } catch (error) {
    console.warn(error);
  }
}

async function start() {
  fillReferenceLists();
  showNetwork();
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  $("unlock-form").addEventListener("submit", unlock);
  $("register-form").addEventListener("submit", register);
  $("update-form").addEventListener("submit", update);
  $("age-form").addEventListener("submit", ageAssessment);
  $("medical-form").addEventListener("submit", medical);
  $("check-in-form").addEventListener("submit", checkIn);
  $("check-out").addEventListener("click", checkOut);
  $("wam-site").addEventListener("change", fillLocations);
  $("weapon-form").addEventListener("submit", weaponHandIn);
  $("distribution-form").addEventListener("submit", distribution);
  $("reg-weapon").addEventListener("change", toggleWeapon);
  $("search-query").addEventListener("input", renderSearch);
  $("search-form").addEventListener("submit", (event) => event.preventDefault());
  $("sync-now").addEventListener("click", sync);
  $("lock-now").addEventListener("click", lock);
  $("person-close").addEventListener("click", () => {
    app.current = null;
    $("person-panel").hidden = true;
  });
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => switchTab(button.dataset.tab));
  }
  app.db = await openDatabase(databaseName(config.user));
  app.meta = await readMeta(app.db);
  if (app.meta && app.meta.lastSync) app.state.lastSync = app.meta.lastSync;
  showCounts();
  startScreen();
  document.body.dataset.offlineReady = "1";
  await registerWorker();
}

start();

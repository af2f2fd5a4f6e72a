// IndexedDB, one database per officer on this device. Two stores:
// - "meta": what must be read before unlocking (salt, the sealed check value, the device id, when
//   it last synced, how long it may go without syncing). Nothing about any person.
// - "vault": every record sealed (crypto.js); its keys are ids and temporary numbers, never names.
import { seal, unseal } from "./crypto.js";

const VERSION = 1;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export function databaseName(userId) {
  return `ddr-offline-${userId}`;
}

export async function openDatabase(name) {
  const req = indexedDB.open(name, VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
    if (!db.objectStoreNames.contains("vault")) db.createObjectStore("vault");
  };
  return request(req);
}

export async function readMeta(db) {
  const tx = db.transaction("meta", "readonly");
  return (await request(tx.objectStore("meta").get("device"))) || null;
}

export async function writeMeta(db, meta) {
  const tx = db.transaction("meta", "readwrite");
  tx.objectStore("meta").put(meta, "device");
  await done(tx);
}

export async function wipe(db, name) {
  db.close();
  await request(indexedDB.deleteDatabase(name));
}

export class Vault {
  constructor(db, key) {
    this.db = db;
    this.key = key;
  }

  // Seals first, then writes in one transaction (a transaction closes when left idle).
  async putMany(entries, removals = []) {
    const boxes = await Promise.all(entries.map(async ([id, value]) => [id, await seal(this.key, value)]));
    const tx = this.db.transaction("vault", "readwrite");
    const store = tx.objectStore("vault");
    for (const id of removals) store.delete(id);
    for (const [id, box] of boxes) store.put(box, id);
    await done(tx);
  }

  async put(id, value) {
    await this.putMany([[id, value]]);
  }

  async remove(ids) {
    await this.putMany([], ids);
  }

  async keys() {
    const tx = this.db.transaction("vault", "readonly");
    return request(tx.objectStore("vault").getAllKeys());
  }

  async all() {
    const tx = this.db.transaction("vault", "readonly");
    const store = tx.objectStore("vault");
    const [ids, boxes] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    const values = await Promise.all(boxes.map((box) => unseal(this.key, box)));
    return new Map(ids.map((id, i) => [id, values[i]]));
  }
}

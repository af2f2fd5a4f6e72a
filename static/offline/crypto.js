// Encryption at rest: a key derived from the officer's password (PBKDF2, SHA-256) seals every
// record with AES-GCM. The key never leaves memory and cannot be exported; the password is never
// stored. What IndexedDB holds is an initialisation vector and ciphertext for each record.

const ITERATIONS = 310000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function newSalt() {
  return crypto.getRandomValues(new Uint8Array(16));
}

export async function deriveKey(password, salt) {
  const material = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, [
    "deriveKey",
  ]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", salt, iterations: ITERATIONS, hash: "SHA-256" },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

export async function seal(key, value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(JSON.stringify(value)));
  return { iv, data: new Uint8Array(data) };
}

// Throws when the key is wrong or the record was tampered with (GCM authenticates).
export async function unseal(key, box) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, key, box.data);
  return JSON.parse(decoder.decode(plain));
}
